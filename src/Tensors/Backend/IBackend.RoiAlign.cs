namespace NativeCam.Tensors;

public partial interface IBackend
{
    /// <summary>
    /// torchvision.ops.roi_align: y[r, c, ph, pw] = (1/count) Σ over the bin's sampling grid of the bilinear sample of
    /// x[b_r, c] at (y, x), with rois[r] = (b_r, x1, y1, x2, y2) in image coordinates (see <see cref="RoiAlignGeometry"/>
    /// and docs/detectors.md for the exact sample positions; samples more than one pixel outside the map read zero,
    /// those within it are clamped to the border). x [N, C, H, W], rois [R, 5], y [R, C, PH, PW]. A region whose
    /// batch index is not an image of x reads zero.
    /// </summary>
    void RoiAlign(Tensor x, Tensor rois, Tensor y, RoiAlignGeometry g);

    /// <summary>
    /// The input gradient of <see cref="RoiAlign"/>: every sample scatters gy[k·R + r, c, ph, pw] · w / count onto
    /// the four pixels of x[b_r, c] it interpolated, into gx[k·N + b_r, c]. gy [K·R, C, PH, PW], gx [K·N, C, H, W]
    /// (overwritten). Regions are added in index order, so results do not depend on the split.
    /// </summary>
    void RoiAlignBackward(Tensor rois, Tensor gy, Tensor gx, RoiAlignGeometry g);
}
