namespace NativeCam.Tensors;

/// <summary>
/// How torchvision.ops.roi_align samples a region: a PooledH×PooledW grid of bins over the box scaled by
/// <see cref="SpatialScale"/> (1/stride of the feature map), each bin the mean of SamplingRatio² bilinear samples
/// (SamplingRatio ≤ 0: ceil(box size / pooled size) per axis, torchvision's adaptive grid), with the box shifted by
/// half a pixel when <see cref="Aligned"/> (torchvision's aligned=True; Faster R-CNN's MultiScaleRoIAlign uses False).
/// </summary>
public readonly record struct RoiAlignGeometry(int PooledH, int PooledW, float SpatialScale, int SamplingRatio, bool Aligned);

/// <summary>The checks both backends run on a RoIAlign call (same messages on both).</summary>
internal static class RoiAlignChecks
{
    /// <summary>
    /// x [N, C, H, W] (or its K·N-image gradient), rois [R, 5] = (batch index, x1, y1, x2, y2), pooled [K·R, C, PH, PW];
    /// returns (N images of x, C, H, W, R, K).
    /// </summary>
    public static (int N, int C, int H, int W, int R, int K) Shapes(string what, Tensor x, Tensor rois, Tensor pooled, RoiAlignGeometry g)
    {
        BackendChecks.Require(g.PooledH >= 1 && g.PooledW >= 1 && float.IsFinite(g.SpatialScale) && g.SpatialScale > 0,
            $"{what}: output size {g.PooledH}x{g.PooledW} and spatial scale {g.SpatialScale} must be positive");
        BackendChecks.Require(x.Rank == 4 && rois.Rank == 2 && rois.Shape[1] == 5 && pooled.Rank == 4,
            $"{what}: expected x [N, C, H, W], rois [R, 5] and output [R, C, PH, PW], got {Tensor.Format(x.Shape)}, {Tensor.Format(rois.Shape)} and {Tensor.Format(pooled.Shape)}");
        int n = x.Shape[0], c = x.Shape[1], r = rois.Shape[0];
        BackendChecks.Require(pooled.Shape[1] == c && pooled.Shape[2] == g.PooledH && pooled.Shape[3] == g.PooledW && r > 0 && pooled.Shape[0] % r == 0,
            $"{what}: output {Tensor.Format(pooled.Shape)} does not hold {r} regions of {c} channels at {g.PooledH}x{g.PooledW}");
        return (n, c, x.Shape[2], x.Shape[3], r, pooled.Shape[0] / r);
    }
}
