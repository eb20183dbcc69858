namespace NativeCam.Tensors;

/// <summary>
/// Wraps a backend and times every call (waiting for the device after each, so GPU time is attributed to the
/// op that queued it). For finding where a forward or backward pass spends its time: `Device.Profile()`
/// installs it, <see cref="Report"/> lists the ops by total time. Not for production runs: the waits
/// serialise the device.
/// </summary>
public sealed class ProfilingBackend(IBackend inner, Device device) : IBackend
{
    readonly IBackend _inner = inner;
    readonly Dictionary<string, (int Calls, double Ms)> _totals = new();

    /// <summary>The wrapped backend.</summary>
    public IBackend Inner => _inner;

    /// <summary>When set, convolutions are reported per shape ("Conv2d 16→32 3x3/2 320x240") instead of per op.</summary>
    public bool ConvShapes { get; set; }

    string Conv(string op, Tensor x, int[] ws, Tensor y, ConvGeometry g) => !ConvShapes ? op
        : $"{op} {x.Shape[^3]}→{y.Shape[^3]} {ws[2]}x{ws[3]}/{g.StrideH}{(g.Groups > 1 ? " g" + g.Groups : "")} {y.Shape[^1]}x{y.Shape[^2]}";

    void Time(string op, Action call)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        call();
        device.Accelerator.Synchronize();
        double ms = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        lock (_totals)
        {
            _totals.TryGetValue(op, out var t);
            _totals[op] = (t.Calls + 1, t.Ms + ms);
        }
    }

    /// <summary>Forgets the times so far.</summary>
    public void Reset()
    {
        lock (_totals) _totals.Clear();
    }

    /// <summary>(op, calls, total ms), largest total first.</summary>
    public IReadOnlyList<(string Op, int Calls, double Ms)> Report()
    {
        lock (_totals) return _totals.Select(kv => (kv.Key, kv.Value.Calls, kv.Value.Ms)).OrderByDescending(r => r.Ms).ToList();
    }

    public void Fill(Tensor t, float value) => Time("Fill", () => _inner.Fill(t, value));

    public void Accumulate(Tensor src, Tensor dst) => Time("Accumulate", () => _inner.Accumulate(src, dst));

    public void SumLeading(Tensor src, Tensor dst) => Time("SumLeading", () => _inner.SumLeading(src, dst));

    public void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f) => Time("Unary." + op, () => _inner.Unary(op, x, y, alpha));

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor gy, Tensor gx, float alpha = 1f) => Time("UnaryBackward." + op, () => _inner.UnaryBackward(op, x, gy, gx, alpha));

    public void UnaryBackwardGuided(UnaryOp op, Tensor x, Tensor gy, Tensor gx) => Time("UnaryBackwardGuided." + op, () => _inner.UnaryBackwardGuided(op, x, gy, gx));

    public void AddRelu(Tensor a, Tensor b, Tensor y) => Time("AddRelu", () => _inner.AddRelu(a, b, y));

    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y, int inner) => Time("Binary." + op, () => _inner.Binary(op, a, b, y, inner));

    public void BinaryBackwardB(BinaryOp op, Tensor a, Tensor gy, Tensor gb, int inner) => Time("BinaryBackwardB." + op, () => _inner.BinaryBackwardB(op, a, gy, gb, inner));

    public void MulBackwardA(Tensor b, Tensor gy, Tensor ga, int aLength, int inner) => Time("MulBackwardA", () => _inner.MulBackwardA(b, gy, ga, aLength, inner));

    public void Gemm(Tensor a, MatrixLayout la, Tensor b, MatrixLayout lb, Tensor c, MatrixLayout lc, int batch, int m, int k, int n) => Time("Gemm", () => _inner.Gemm(a, la, b, lb, c, lc, batch, m, k, n));

    public void Softmax(Tensor x, Tensor y, int n) => Time("Softmax", () => _inner.Softmax(x, y, n));

    public void SoftmaxBackward(Tensor y, Tensor gy, Tensor gx, int n) => Time("SoftmaxBackward", () => _inner.SoftmaxBackward(y, gy, gx, n));

    public void LayerNorm(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor stats, float eps) => Time("LayerNorm", () => _inner.LayerNorm(x, gamma, beta, y, stats, eps));

    public void LayerNormBackward(Tensor x, Tensor gamma, Tensor stats, Tensor gy, Tensor gx) => Time("LayerNormBackward", () => _inner.LayerNormBackward(x, gamma, stats, gy, gx));

    public void LayerNormBackwardAffine(Tensor x, Tensor stats, Tensor gy, Tensor ggamma, Tensor gbeta) => Time("LayerNormBackwardAffine", () => _inner.LayerNormBackwardAffine(x, stats, gy, ggamma, gbeta));

    public void Reduce(ReduceOp op, Tensor x, Tensor y, int outer, int reduced, int inner) => Time("Reduce." + op, () => _inner.Reduce(op, x, y, outer, reduced, inner));

    public void ReduceBackward(ReduceOp op, Tensor x, Tensor gy, Tensor gx, int outer, int reduced, int inner) => Time("ReduceBackward." + op, () => _inner.ReduceBackward(op, x, gy, gx, outer, reduced, inner));

    public void StridedCopy(Tensor src, Tensor dst, int[] shape, int[] srcStrides, int srcOffset, int[] dstStrides, int dstOffset) => Time("StridedCopy", () => _inner.StridedCopy(src, dst, shape, srcStrides, srcOffset, dstStrides, dstOffset));

    public void Conv2d(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvGeometry g) => Time(Conv("Conv2d", x, w.Shape, y, g), () => _inner.Conv2d(x, w, bias, y, g));

    public void Conv2dActivation(Tensor x, Tensor w, Tensor? bias, Tensor y, Tensor activated, ConvGeometry g, UnaryOp act) =>
        Time(Conv("Conv2dActivation." + act, x, w.Shape, y, g), () => _inner.Conv2dActivation(x, w, bias, y, activated, g, act));

    public void Conv2dBackwardInput(Tensor gy, Tensor w, Tensor gx, ConvGeometry g) => Time(Conv("Conv2dBackwardInput", gx, w.Shape, gy, g), () => _inner.Conv2dBackwardInput(gy, w, gx, g));

    public void Conv2dBackwardWeight(Tensor x, Tensor gy, Tensor gw, ConvGeometry g) => Time("Conv2dBackwardWeight", () => _inner.Conv2dBackwardWeight(x, gy, gw, g));

    public void MaxPool2d(Tensor x, Tensor y, int kernel, int stride, int padding, bool ceilMode = false) => Time("MaxPool2d", () => _inner.MaxPool2d(x, y, kernel, stride, padding, ceilMode));

    public void MaxPool2dArgmax(Tensor x, Tensor argmax, int kernel, int stride, int padding, bool ceilMode = false) => Time("MaxPool2dArgmax", () => _inner.MaxPool2dArgmax(x, argmax, kernel, stride, padding, ceilMode));

    public void MaxPool2dBackward(Tensor argmax, Tensor gy, Tensor gx, int kernel, int stride, int padding, bool ceilMode = false) => Time("MaxPool2dBackward", () => _inner.MaxPool2dBackward(argmax, gy, gx, kernel, stride, padding, ceilMode));

    public void Upsample(Tensor x, Tensor y, int scale) => Time("Upsample", () => _inner.Upsample(x, y, scale));

    public void UpsampleBackward(Tensor gy, Tensor gx, int scale) => Time("UpsampleBackward", () => _inner.UpsampleBackward(gy, gx, scale));

    public void CopyChannels(Tensor src, int srcChannels, int srcOffset, Tensor dst, int dstChannels, int dstOffset, int channels, int inner) => Time("CopyChannels", () => _inner.CopyChannels(src, srcChannels, srcOffset, dst, dstChannels, dstOffset, channels, inner));

    public void RoiAlign(Tensor x, Tensor rois, Tensor y, RoiAlignGeometry g) => Time("RoiAlign", () => _inner.RoiAlign(x, rois, y, g));

    public void RoiAlignBackward(Tensor rois, Tensor gy, Tensor gx, RoiAlignGeometry g) => Time("RoiAlignBackward", () => _inner.RoiAlignBackward(rois, gy, gx, g));
}
