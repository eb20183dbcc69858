using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests.Robustness;

/// <summary>
/// Inputs with which the fuzzers (fuzz/run.sh) once crashed a parser, kept as fixtures in tests/fixtures/fuzz/TARGET:
/// each must now be refused with the parser's documented exception. docs/security.md lists the findings.
/// </summary>
public class FuzzRegressionTests
{
    static IEnumerable<string> Inputs(string target) =>
        Directory.EnumerateFiles(Path.Combine(Fixtures.Folder, "fuzz", target)).Order(StringComparer.Ordinal);

    /// <summary>afl found .npy headers whose shape made Npy.Read throw FormatException (a shape entry such as "\x15" or
    /// "4': (4") and ArgumentException (a negative dimension) instead of InvalidDataException.</summary>
    [Fact]
    public void NpyShapesThatAreNotNonNegativeIntegersAreRefused()
    {
        var inputs = Inputs("npy").ToArray();
        Assert.NotEmpty(inputs);
        foreach (var file in inputs)
        {
            var e = Assert.Throws<InvalidDataException>(() => Npy.Read(file));
            Assert.Contains(Path.GetFileName(file), e.Message);
        }
    }

    [Theory]
    [InlineData("(2147483647, 2147483647)", "more elements than an array can hold")]
    [InlineData("(-1,)", "not a tuple of non-negative integers")]
    [InlineData("(3L,)", "not a tuple of non-negative integers")]
    public void NpyShapeErrorsNameTheProblem(string shape, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nc-{Guid.NewGuid():N}.npy");
        try
        {
            string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}".PadRight(117) + "\n";
            File.WriteAllBytes(path, [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, 0, .. System.Text.Encoding.ASCII.GetBytes(header)]);
            Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => Npy.Read(path)).Message);
        }
        finally { File.Delete(path); }
    }

    /// <summary>A version-2 header length near 2^31 overflowed offset + length and passed the truncation check.</summary>
    [Fact]
    public void NpyHeaderLengthNearTwoToThe31IsTruncation()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nc-{Guid.NewGuid():N}.npy");
        try
        {
            File.WriteAllBytes(path, [0x93, .. "NUMPY"u8, 2, 0, 0xFC, 0xFF, 0xFF, 0x7F, .. new byte[64]]);
            Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Npy.Read(path)).Message);
        }
        finally { File.Delete(path); }
    }
}

/// <summary>Fuzz findings in the zip reader and the image path (docs/security.md, findings 3 and 2).</summary>
public class FuzzRegressionContainerTests
{
    /// <summary>afl found zips whose end-of-central-directory entry count disagrees with the directory: .NET reads the
    /// directory lazily, on the first use of Entries, and its InvalidDataException escaped TorchArchive.Open.</summary>
    [Fact]
    public void ZipsWithABrokenCentralDirectoryAreRefused()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Fixtures.Folder, "fuzz", "zip")))
        {
            var e = Assert.Throws<NativeCam.Weights.WeightFormatException>(() => NativeCam.Weights.Torch.TorchCheckpoint.Open(file).Dispose());
            Assert.Contains("not a readable zip archive", e.Message);
        }
    }

    /// <summary>
    /// afl found JPEG (ImageSharp's fallback decoder), PNG (short pHYs chunk), TGA and PBM files on which ImageSharp 2.1.13 throws
    /// ArgumentException, DivideByZeroException, IndexOutOfRangeException, NullReferenceException or InvalidOperationException
    /// (a BMP over 65535 pixels wide or high) rather than ImageFormatException. ImageLoader turns any failure inside ImageSharp
    /// into the one-line InvalidDataException naming the file.
    /// </summary>
    [Fact]
    public void ImagesThatTripImageSharpAreRefusedWithTheOneLineError()
    {
        var inputs = Directory.EnumerateFiles(Path.Combine(Fixtures.Folder, "fuzz", "image")).ToArray();
        Assert.NotEmpty(inputs);
        foreach (var file in inputs)
        {
            var e = Assert.Throws<InvalidDataException>(() => NativeCam.Imaging.ImageLoader.Load(file));
            Assert.StartsWith(Path.GetFileName(file) + ": ", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
    }
}

/// <summary>A finding of the property tests (docs/security.md, finding 4).</summary>
public class PropertyRegressionTests
{
    /// <summary>A weight file whose tensor record holds an unknown key with a length beyond the file: MessagePack's
    /// Skip threw ArgumentOutOfRangeException, which escaped WeightFileReader.Read. The input is the yaml fuzz seed
    /// with the edits CsCheck printed.</summary>
    [Fact]
    public void WeightFileWithAnOverlongSkippedFieldIsRefused()
    {
        var seed = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fuzz-corpus", "yaml", "tiny_yolo.msgpack"));
        var data = Mutations.Apply(seed, [new(5, 334571, 655090, 179), new(3, 439950, 45031, 78), new(3, 391704, 980741, 55)]);
        var path = Path.Combine(Path.GetTempPath(), $"nc-{Guid.NewGuid():N}.msgpack");
        try
        {
            File.WriteAllBytes(path, data);
            var e = Assert.Throws<NativeCam.Weights.WeightFormatException>(() => NativeCam.Weights.WeightFile.Load(path));
            Assert.Contains("truncated or corrupt", e.Message);
        }
        finally { File.Delete(path); }
    }
}

/// <summary>Fuzz findings in the yaml path (docs/security.md, finding 5).</summary>
public class FuzzRegressionYamlTests
{
    /// <summary>afl found a yaml row repeating a C3 block a negative number of times (Enumerable.Range threw
    /// ArgumentOutOfRangeException) and a weight file holding one tensor name twice (StateDict threw ArgumentException).</summary>
    [Fact]
    public void YamlsWithNegativeRepeatsOrDuplicateTensorsAreRefused()
    {
        var inputs = Directory.EnumerateFiles(Path.Combine(Fixtures.Folder, "fuzz", "yaml")).Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(inputs);
        var device = TestDevice.Simd;
        foreach (var file in inputs)
            Assert.Throws<InvalidDataException>(() => NativeCam.Yolo.YoloModel.Build(device, NativeCam.Yolo.YoloCheckpoint.Load(file)).Dispose());
    }
}
