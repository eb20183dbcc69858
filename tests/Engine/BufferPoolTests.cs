using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests;

public class BufferPoolTests
{
    static Device D => TestDevice.Default;

    [Theory]
    [InlineData(1, 256)]
    [InlineData(256, 256)]
    [InlineData(257, 512)]
    [InlineData(65536, 65536)]
    [InlineData(65537, 69632)] // 1/16 steps above 64K floats: at most 6.25 % waste
    public void SizeClassesRoundUp(long elements, long expected) => Assert.Equal(expected, BufferPool.SizeClass(elements));

    [Fact]
    public void LiveAndPeakBytesFollowTensorsAndViews()
    {
        long before = D.Pool.LiveBytes;
        D.Pool.ResetPeak();
        var a = Tensor.Zeros(D, 1000);
        Assert.Equal(before + 1024 * 4, D.Pool.LiveBytes);
        var view = a.Reshape(10, 100);
        a.Dispose();
        Assert.Equal(before + 1024 * 4, D.Pool.LiveBytes); // the view keeps the storage alive
        view.Dispose();
        Assert.Equal(before, D.Pool.LiveBytes);
        Assert.Equal(before + 1024 * 4, D.Pool.PeakBytes);
    }

    [Fact]
    public void FreedBufferIsReusedForTheSameSize()
    {
        var a = Tensor.Zeros(D, 3000);
        long cached = D.Pool.CachedBytes;
        a.Dispose();
        Assert.True(D.Pool.CachedBytes >= cached + 3072 * 4);
        using var b = Tensor.Zeros(D, 3000);
        Assert.Equal(cached, D.Pool.CachedBytes);
    }

    /// <summary>A large request with no free buffer of its own class takes the smallest free one at most 1.5 times its
    /// class (counted at that buffer's size while live), never a larger one. A device of its own: tests running
    /// beside it would move the shared pool's counters.</summary>
    [Fact]
    public void LargeRequestReusesASomewhatLargerFreeBuffer()
    {
        using var D = Device.OpenCpu();
        const int big = 1_000_003, near = 900_001, far = 600_001; // classes 1,015,808, 917,504 and 622,592 floats
        long bigBytes = BufferPool.SizeClass(big) * 4;
        Tensor.Zeros(D, big).Dispose();
        long cached = D.Pool.CachedBytes, live = D.Pool.LiveBytes;
        using (var t = Tensor.Zeros(D, near))
        {
            Assert.Equal(cached - bigBytes, D.Pool.CachedBytes); // took the freed 1,015,808-float buffer
            Assert.Equal(live + bigBytes, D.Pool.LiveBytes);
            Assert.Equal(near, t.Length);
            Assert.All(t.ToArray(), v => Assert.Equal(0f, v));
        }
        Assert.Equal(cached, D.Pool.CachedBytes);
        using (Tensor.Zeros(D, far)) // 1,015,808 > 1.5 × 622,592: allocates
            Assert.Equal(cached, D.Pool.CachedBytes);
    }

    [Fact]
    public void PoisonedRentShowsUnwrittenElements()
    {
        using var t = Tensor.Empty(D, 5);
        Assert.All(t.ToArray(), v => Assert.True(float.IsNaN(v)));
    }
}
