using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

public class NpyTests
{
    [Fact]
    public void RoundTripsAndReadsNumPysOwnFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nc-{Guid.NewGuid():N}.npy");
        try
        {
            float[] data = [1.5f, -2f, 3.25f, 0f, 1e-20f, 7f];
            Npy.Write(path, data, [2, 3]);
            var (back, shape) = Npy.Read(path);
            Assert.Equal(data, back);
            Assert.Equal(new[] { 2, 3 }, shape);
            Assert.Equal(128 + 24, new FileInfo(path).Length); // header padded to 128 bytes, 6 floats of data
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ReadsAFileWrittenByNumPy()
    {
        // numpy.save of np.arange(6, dtype='<f8').reshape(3, 2): a float64 file, version 1.0.
        var path = Path.Combine(Fixtures.Folder, "npy", "arange_f8.npy");
        var (data, shape) = Npy.Read(path);
        Assert.Equal(new[] { 3, 2 }, shape);
        Assert.Equal(new[] { 0f, 1f, 2f, 3f, 4f, 5f }, data);
    }

    [Fact]
    public void RejectsFilesThatAreNotNpy()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nc-{Guid.NewGuid():N}.npy");
        try
        {
            File.WriteAllText(path, "hello, not an array");
            var e = Assert.Throws<InvalidDataException>(() => Npy.Read(path));
            Assert.Contains("is not a .npy file", e.Message);
        }
        finally { File.Delete(path); }
    }
}
