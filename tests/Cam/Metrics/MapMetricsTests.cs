using NativeCam.Cam.Metrics;
using NativeCam.Imaging;
using Xunit;

namespace NativeCam.Tests.Cam.Metrics;

/// <summary>The map-quality measures on small maps whose answers are worked out by hand (docs/cam.md).</summary>
public class MapMetricsTests
{
    const int H = 10, W = 10;

    static float[] Map(Func<int, int, float> f)
    {
        var m = new float[H * W];
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) m[y * W + x] = f(y, x);
        return m;
    }

    static readonly Box Box = new(2, 3, 6, 8); // pixels x 2..5, y 3..7: 4 × 5 = 20 pixels

    [Fact]
    public void AMapExactlyOnTheBoxScoresOneEverywhere()
    {
        var m = Map((y, x) => x is >= 2 and < 6 && y is >= 3 and < 8 ? 1f + x : 0f);
        Assert.Equal(1.0, MapMetrics.EnergyInBox(m, H, W, Box), 12);
        Assert.True(MapMetrics.Pointing(m, H, W, Box));
        Assert.Equal(1.0, MapMetrics.LocalisationIoU(m, H, W, Box), 12);
    }

    [Fact]
    public void ADotPointsAndHoldsItsEnergyButLocalisesPoorly()
    {
        var m = Map((y, x) => y == 5 && x == 3 ? 2f : 0f);
        Assert.Equal(1.0, MapMetrics.EnergyInBox(m, H, W, Box), 12);
        Assert.True(MapMetrics.Pointing(m, H, W, Box));
        Assert.Equal(1.0 / 20, MapMetrics.LocalisationIoU(m, H, W, Box), 12); // a 1×1 region inside a 20-pixel box
    }

    [Fact]
    public void EnergyCountsOnlyPositiveMassAndPixelCentres()
    {
        // 3 inside (at (4, 4)), 1 outside (at (0, 0)), −5 outside is ignored: 3 / 4.
        var m = Map((y, x) => (y, x) switch { (4, 4) => 3f, (0, 0) => 1f, (9, 9) => -5f, _ => 0f });
        Assert.Equal(0.75, MapMetrics.EnergyInBox(m, H, W, Box), 12);
        // Pixel (4, 4)'s centre is (4.5, 4.5): outside [4.6, 5.4]², inside [4.4, 4.6]².
        Assert.Equal(0.0, MapMetrics.EnergyInBox(m, H, W, new Box(4.6f, 4.6f, 5.4f, 5.4f)), 12);
        Assert.Equal(0.75, MapMetrics.EnergyInBox(m, H, W, new Box(4.4f, 4.4f, 4.6f, 4.6f)), 12);
    }

    [Fact]
    public void TheLargestConnectedRegionAboveFifteenPercentIsBoxed()
    {
        // Blob A: 2×2 at x 0..1, y 0..1 (value 10, the maximum); blob B: 3×2 at x 5..7, y 6..7 (value 2 ≥ 1.5);
        // a 1-valued pixel is below 15 % of 10 and joins nothing. B is larger: its box [5, 8] × [6, 8].
        var m = Map((y, x) => x < 2 && y < 2 ? 10f : x is >= 5 and < 8 && y is >= 6 and < 8 ? 2f : y == 4 && x == 9 ? 1f : 0f);
        Assert.Equal(new Box(5, 6, 8, 8), LargestRegion.BoundingBox(m, H, W, 0.15));
        // IoU with the box [5, 8] × [6, 8] itself is 1; with [2, 6] × [3, 8]: overlap 1 × 2 = 2, union 6 + 20 − 2.
        Assert.Equal(2.0 / 24, MapMetrics.LocalisationIoU(m, H, W, Box), 12);
        Assert.False(MapMetrics.Pointing(m, H, W, Box)); // the maximum is blob A's
    }

    [Fact]
    public void DiagonalNeighboursConnectAndTiesGoToTheFirstRegion()
    {
        var diagonal = Map((y, x) => (y, x) is (0, 0) or (1, 1) or (2, 2) ? 1f : 0f);
        Assert.Equal(new Box(0, 0, 3, 3), LargestRegion.BoundingBox(diagonal, H, W, 0.15));
        var twins = Map((y, x) => (y, x) is (1, 8) or (1, 9) or (8, 0) or (8, 1) ? 1f : 0f);
        Assert.Equal(new Box(8, 1, 10, 2), LargestRegion.BoundingBox(twins, H, W, 0.15)); // first in row-major order
    }

    [Fact]
    public void TiedMaximaPointAtTheFirstInRowMajorOrder()
    {
        var m = Map((y, x) => (y, x) is (0, 9) or (5, 3) ? 1f : 0f);
        Assert.False(MapMetrics.Pointing(m, H, W, Box));
        var n = Map((y, x) => (y, x) is (4, 3) or (9, 9) ? 1f : 0f);
        Assert.True(MapMetrics.Pointing(n, H, W, Box));
    }

    [Fact]
    public void AnEmptyMapScoresZero()
    {
        var m = new float[H * W];
        Assert.Equal(0.0, MapMetrics.EnergyInBox(m, H, W, Box));
        Assert.False(MapMetrics.Pointing(m, H, W, Box));
        Assert.Equal(0.0, MapMetrics.LocalisationIoU(m, H, W, Box));
        Assert.Null(LargestRegion.BoundingBox(m, H, W, 0.15));
    }

    [Fact]
    public void CorrelationAndDistinctness()
    {
        var a = Map((y, x) => x);
        var b = Map((y, x) => 3 * x + 1);   // an affine copy: correlation 1
        var c = Map((y, x) => 9 - x);       // mirrored: −1
        Assert.Equal(1.0, MapCorrelation.Pearson(a, b), 12);
        Assert.Equal(-1.0, MapCorrelation.Pearson(a, c), 12);
        Assert.Equal(1.0, MapCorrelation.Pearson(new float[4], new float[4]));
        Assert.Equal(0.0, MapCorrelation.Pearson(new float[4], [0, 1, 0, 0]));
        var q = MapQuality.Measure([a, b, c], H, W, [Box, Box, Box]);
        Assert.Equal(0.0, q[0].Distinctness!.Value, 12);
        Assert.Equal(1, q[0].NearestOther);
        Assert.True(q[0].LikeAnother && q[1].LikeAnother && !q[2].LikeAnother);
        Assert.Equal(2.0, q[2].Distinctness!.Value, 12); // anti-correlated with both others: 1 − (−1)
        var single = MapQuality.Measure([a], H, W, [Box]);
        Assert.Null(single[0].Distinctness);
    }

    [Fact]
    public void IoUOfBoxes()
    {
        Assert.Equal(1.0, MapMetrics.IoU(Box, Box), 12);
        Assert.Equal(0.0, MapMetrics.IoU(new Box(0, 0, 1, 1), new Box(2, 2, 3, 3)), 12);
        Assert.Equal(1.0 / 7, MapMetrics.IoU(new Box(0, 0, 2, 2), new Box(1, 1, 3, 3)), 12);
    }
}
