namespace NativeCam.Detectors;

/// <summary>
/// torchvision's det_utils.BoxCoder.decode_single in float32: deltas (dx, dy, dw, dh) divided by the weights, dw and
/// dh clamped to log(1000/16), applied to the reference box's centre and size.
/// </summary>
public sealed class BoxCoder(float wx, float wy, float ww, float wh)
{
    /// <summary>The clamp torchvision puts on dw and dh: log(1000 / 16), rounded to float32 as torch.clamp does.</summary>
    public static readonly float XformClip = (float)Math.Log(1000.0 / 16);

    /// <summary>The RPN's coder (weights 1, 1, 1, 1).</summary>
    public static BoxCoder Rpn { get; } = new(1, 1, 1, 1);

    /// <summary>The box head's coder (weights 10, 10, 5, 5).</summary>
    public static BoxCoder RoiHeads { get; } = new(10, 10, 5, 5);

    /// <summary>The box that deltas d[0..4) make of reference box b[0..4) (x1, y1, x2, y2), written to o[0..4).</summary>
    public void Decode(ReadOnlySpan<float> b, ReadOnlySpan<float> d, Span<float> o)
    {
        float width = b[2] - b[0], height = b[3] - b[1];
        float cx = b[0] + 0.5f * width, cy = b[1] + 0.5f * height;
        float dx = d[0] / wx, dy = d[1] / wy;
        float dw = MathF.Min(d[2] / ww, XformClip), dh = MathF.Min(d[3] / wh, XformClip);
        float px = dx * width + cx, py = dy * height + cy;
        float pw = MathF.Exp(dw) * width, ph = MathF.Exp(dh) * height;
        float hw = 0.5f * pw, hh = 0.5f * ph;
        o[0] = px - hw;
        o[1] = py - hh;
        o[2] = px + hw;
        o[3] = py + hh;
    }
}
