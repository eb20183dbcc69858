using NativeCam.Weights;
using NativeCam.Weights.Format;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>The MessagePack weight file: layout, content sniffing, atomic writes, corrupt input.</summary>
public class WeightFormatTests
{
    private static string ConvertTimm(TempFolder dir, string name = "vit.msgpack") =>
        CheckpointConverter.Convert(TestPaths.Fixture("vit_timm_tiny.pt"), dir.File(name)).OutputPath;

    [Fact]
    public void File_starts_with_the_documented_signature()
    {
        using var dir = new TempFolder();
        var bytes = File.ReadAllBytes(ConvertTimm(dir));

        Assert.Equal(WeightFileFormat.Signature, bytes[..18]);
        Assert.Equal(0x94, bytes[0]); // array of 4: magic, version, metadata, tensors
        Assert.Equal((byte)WeightFileFormat.Version, bytes[18]); // positive fixint
    }

    [Fact]
    public void Content_decides_the_format_not_the_extension()
    {
        using var dir = new TempFolder();
        string msgpack = ConvertTimm(dir);
        string disguised = dir.File("really-msgpack.pt");
        File.Copy(msgpack, disguised);
        string checkpoint = dir.File("really-torch.msgpack");
        File.Copy(TestPaths.Fixture("vit_timm_tiny.pt"), checkpoint);

        Assert.Equal(WeightFileKind.NativeCam, WeightFileFormat.Detect(disguised));
        Assert.Equal(WeightFileKind.TorchZip, WeightFileFormat.Detect(checkpoint));
        var a = WeightFile.Load(disguised);
        var b = WeightFile.Load(checkpoint);
        Assert.Equal(a.Tensors.Select(t => t.Name), b.Tensors.Select(t => t.Name));
        Assert.All(a.Tensors, t => Assert.Equal(t.Data.ToArray(), b[t.Name].Data.ToArray()));
    }

    [Fact]
    public void Converting_a_weight_file_again_is_refused()
    {
        using var dir = new TempFolder();
        string msgpack = ConvertTimm(dir);

        var e = Assert.Throws<WeightFormatException>(() => CheckpointConverter.Convert(msgpack, dir.File("again.msgpack")));

        Assert.Equal("vit.msgpack is already a NativeCam weight file", e.Message);
        Assert.Equal(["vit.msgpack"], dir.Listing());
    }

    [Fact]
    public void Truncated_weight_file_is_reported()
    {
        using var dir = new TempFolder();
        string path = ConvertTimm(dir);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

        var e = Assert.Throws<WeightFormatException>(() => WeightFile.Load(path));

        Assert.Contains("truncated or corrupt NativeCam weight file", e.Message);
    }

    [Fact]
    public void Newer_format_version_is_reported()
    {
        using var dir = new TempFolder();
        string path = ConvertTimm(dir);
        var bytes = File.ReadAllBytes(path);
        bytes[18] = 2;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<WeightFormatException>(() => WeightFile.Load(path));

        Assert.Equal("NativeCam weight file version 2 is not supported (this build reads version 1)", e.Message);
    }

    [Fact]
    public void Atomic_file_leaves_nothing_when_not_committed()
    {
        using var dir = new TempFolder();
        using (var f = new AtomicFile(dir.File("out.msgpack")))
        {
            f.Stream.Write(new byte[1000]);
            Assert.Single(dir.Listing()); // only the temporary file
        }
        Assert.Empty(dir.Listing());
    }

    [Fact]
    public void Atomic_file_replaces_the_destination_on_commit()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("out.msgpack"), "old");
        using (var f = new AtomicFile(dir.File("out.msgpack")))
        {
            f.Stream.Write("new"u8);
            f.Commit();
        }
        Assert.Equal("new", File.ReadAllText(dir.File("out.msgpack")));
        Assert.Equal(["out.msgpack"], dir.Listing());
    }

    [Fact]
    public void Unknown_tensor_name_names_itself()
    {
        var w = WeightFile.Load(TestPaths.Fixture("vit_timm_tiny.pt"));
        var e = Assert.Throws<KeyNotFoundException>(() => w["nope"]);
        Assert.Contains("'nope'", e.Message);
    }
}
