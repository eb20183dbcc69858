using NativeCam.Tensors;

namespace NativeCam.Autograd;

// RoIAlign: the pooling of a two-stage detector's box head (torchvision.ops.roi_align).
public static partial class Ops
{
    /// <summary>
    /// torchvision.ops.roi_align(x, rois, (outputH, outputW), spatialScale, samplingRatio, aligned): each region
    /// rois[r] = (batch index, x1, y1, x2, y2), in image coordinates, pooled from x[batch index] into an
    /// outputH×outputW grid of bins, each the mean of a grid of bilinear samples (samplingRatio ≤ 0: adaptive,
    /// ceil(region size / output size) per axis). x [N, C, H, W], rois [R, 5] → [R, C, outputH, outputW].
    /// Backward scatters each bin's gradient onto the pixels its samples read; rois get no gradient (as in
    /// torchvision). The rois are read on the host once to check their batch indices.
    /// </summary>
    public static Var RoiAlign(Var x, Var rois, int outputH, int outputW, float spatialScale, int samplingRatio, bool aligned)
    {
        var (n, c, _, _) = Nchw("RoiAlign", x);
        if (rois.Shape.Length != 2 || rois.Shape[1] != 5 || rois.Shape[0] < 1)
            throw new ArgumentException($"RoiAlign: rois must be [R, 5] with R ≥ 1, got {Tensor.Format(rois.Shape)}");
        if (outputH < 1 || outputW < 1 || !(spatialScale > 0) || !float.IsFinite(spatialScale))
            throw new ArgumentException($"RoiAlign: output size {outputH}x{outputW} and spatial scale {spatialScale} must be positive");
        var host = rois.Value.ToArray();
        for (int r = 0; r < rois.Shape[0]; r++)
        {
            float b = host[r * 5];
            if (!(b >= 0 && b < n && b == MathF.Floor(b)))
                throw new ArgumentException($"RoiAlign: region {r} has batch index {b}, not an image of the {n}-image input");
            for (int j = 1; j < 5; j++)
                if (!float.IsFinite(host[r * 5 + j]))
                    throw new ArgumentException($"RoiAlign: region {r} has a non-finite coordinate {host[r * 5 + j]}");
        }
        var g = new RoiAlignGeometry(outputH, outputW, spatialScale, samplingRatio, aligned);
        var y = Tensor.Empty(x.Device, rois.Shape[0], c, outputH, outputW);
        x.Device.Backend.RoiAlign(x.Value, rois.Value, y, g);
        return Tape.Current.Record(y, () => new RoiAlignNode(x, rois, g), x, rois);
    }

    // gx[k] = Σ over regions of image b of their bins' gradients, spread with the forward's bilinear weights.
    sealed class RoiAlignNode(Var x, Var rois, RoiAlignGeometry g) : Node(x, rois)
    {
        public override string Op => "RoiAlign";

        public override void Backward(Tensor gy, Tape tape)
        {
            if (!x.RequiresGrad) return;
            int k = Targets(gy);
            var gx = GradLike(x, k);
            using (var gxPlanes = gx.Reshape([k * x.Shape[0], .. x.Shape[1..]]))
            using (var gyPlanes = gy.Reshape([k * Output.Shape[0], .. Output.Shape[1..]]))
                Backend(x).RoiAlignBackward(rois.Value, gyPlanes, gxPlanes, g);
            tape.AddGrad(x, gx);
        }
    }
}
