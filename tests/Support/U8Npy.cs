using System.Text;
using Xunit;

namespace NativeCam.Tests.Support;

/// <summary>Reads the uint8 [H, W, 3] .npy files the reference scripts write for exact pixel comparisons.</summary>
public static class U8Npy
{
    /// <summary>The pixels of a C-ordered uint8 .npy of shape (<paramref name="height"/>, <paramref name="width"/>, 3);
    /// fails the test when the header says otherwise.</summary>
    public static byte[] ReadRgb(string path, int height, int width)
    {
        // magic, version, little-endian header length (v1: 2 bytes), the header, the bytes
        var bytes = File.ReadAllBytes(path);
        int length = bytes[8] | bytes[9] << 8;
        string header = Encoding.ASCII.GetString(bytes, 10, length);
        Assert.Contains("'descr': '|u1'", header);
        Assert.Contains("'fortran_order': False", header);
        Assert.Contains($"'shape': ({height}, {width}, 3)", header);
        return bytes[(10 + length)..];
    }
}
