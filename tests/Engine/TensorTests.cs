using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

public class TensorTests
{
    static Device D => TestDevice.Default;

    [Fact]
    public void RoundTripsThroughTheDevice()
    {
        float[] data = [1, 2, 3, 4, 5, 6];
        using var t = Tensor.FromArray(D, data, 2, 3);
        Assert.Equal(data, t.ToArray());
        Assert.Equal(new[] { 2, 3 }, t.Shape);
    }

    [Fact]
    public void HalfLoadsExactly()
    {
        var halves = new[] { (Half)0.1f, (Half)(-65504f), Half.Epsilon, (Half)3.140625f };
        using var t = Tensor.FromHalf(D, halves, 4);
        Assert.Equal(halves.Select(h => (float)h).ToArray(), t.ToArray());
    }

    [Fact]
    public void ReshapeInfersOneDimensionAndRejectsBadShapes()
    {
        using var t = Tensor.Zeros(D, 2, 3, 4);
        using var v = t.Reshape(6, -1);
        Assert.Equal(new[] { 6, 4 }, v.Shape);
        Assert.Throws<ArgumentException>(() => t.Reshape(5, -1));
        Assert.Throws<ArgumentException>(() => Tensor.FromArray(D, [1f, 2f], 3));
    }

    [Fact]
    public void SliceViewsPartOfTheStorage()
    {
        using var t = Tensor.FromArray(D, [0f, 1f, 2f, 3f, 4f, 5f], 6);
        using var s = t.Slice(2, 2, 2);
        Assert.Equal(new[] { 2f, 3f, 4f, 5f }, s.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Slice(5, 2));
    }

    [Fact]
    public void DisposedTensorRefusesUse()
    {
        var t = Tensor.Zeros(D, 3);
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.ToArray());
    }
}
