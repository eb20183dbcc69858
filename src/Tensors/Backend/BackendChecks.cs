namespace NativeCam.Tensors;

/// <summary>
/// The host-side checks both backends run before touching memory (a bad index corrupts the process on the CPU
/// and kills it inside an ILGPU kernel), written once so the two implementations refuse exactly the same calls
/// with the same messages.
/// </summary>
internal static class BackendChecks
{
    public static void Require(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }

    /// <summary>Throws for a value that is no <see cref="ReduceOp"/> (the kernels branch on Max and Mean and would sum
    /// anything else).</summary>
    public static void Known(ReduceOp op)
    {
        if (op is not (ReduceOp.Sum or ReduceOp.Mean or ReduceOp.Max)) throw new ArgumentOutOfRangeException(nameof(op), op, "no such reduction");
    }

    /// <summary>Throws for a value that is no <see cref="BinaryOp"/> (the kernels compute Mul for anything not Add).</summary>
    public static void Known(BinaryOp op)
    {
        if (op is not (BinaryOp.Add or BinaryOp.Mul)) throw new ArgumentOutOfRangeException(nameof(op), op, "no such binary op");
    }

    public static void SameLength(Tensor a, Tensor b, string what) =>
        Require(a.Length == b.Length, $"{what}: lengths differ ({a.Length} vs {b.Length})");

    /// <summary>K, the number of targets a gradient of a forward tensor carries.</summary>
    public static int TargetCount(Tensor forward, Tensor grad, string what)
    {
        Require(forward.Length > 0 && grad.Length % forward.Length == 0,
            $"{what}: gradient of {grad.Length} elements is not a whole number of targets of {forward.Length}");
        return grad.Length / forward.Length;
    }

    /// <summary>A GEMM operand's layout stays inside its tensor.</summary>
    public static void GemmOperand(Tensor t, MatrixLayout l, int rows, int cols, string name)
    {
        Require(l.Batches > 0 && l.BatchStride >= 0 && l.RowStride >= 0 && l.ColStride >= 0,
            $"gemm: operand {name} has a non-positive batch count or a negative stride");
        Require(l.MaxIndex(rows, cols) < t.Length,
            $"gemm: operand {name} ({l.Batches} x [{rows}, {cols}], strides {l.BatchStride}/{l.RowStride}/{l.ColStride}) " +
            $"reaches past its tensor {Tensor.Format(t.Shape)}");
    }

    /// <summary>A pooling geometry: x [.., H, W] into y [.., OH, OW] with OH = (H + 2p − k)/s + 1, rounded up under
    /// <paramref name="ceilMode"/> (<see cref="PoolGeometry"/>); returns x's planes and the sizes.</summary>
    public static (int Planes, int H, int W, int OH, int OW) Pooling(string what, Tensor x, Tensor y, int kernel, int stride, int padding,
        bool ceilMode, bool sameBatch = true)
    {
        Require(kernel >= 1 && stride >= 1 && padding >= 0 && 2 * padding <= kernel,
            $"{what}: kernel {kernel}, stride {stride}, padding {padding} (padding must be at most half the kernel)");
        Require(x.Rank >= 3 && y.Rank >= 3, $"{what}: expected [.., H, W] tensors, got {Tensor.Format(x.Shape)} and {Tensor.Format(y.Shape)}");
        int h = x.Shape[^2], w = x.Shape[^1], oh = y.Shape[^2], ow = y.Shape[^1];
        Require(oh >= 1 && ow >= 1 && oh == PoolGeometry.OutputSize(h, kernel, stride, padding, ceilMode)
                && ow == PoolGeometry.OutputSize(w, kernel, stride, padding, ceilMode),
            $"{what}: output {Tensor.Format(y.Shape)} does not match input {Tensor.Format(x.Shape)} with kernel {kernel}, stride {stride}, padding {padding}{(ceilMode ? ", ceil mode" : "")}");
        int planes = x.Length / (h * w);
        if (sameBatch) Require(planes == y.Length / (oh * ow), $"{what}: {Tensor.Format(x.Shape)} and {Tensor.Format(y.Shape)} hold different numbers of planes");
        return (planes, h, w, oh, ow);
    }

    /// <summary>A strided copy reads and writes inside its tensors; returns the element count (0: nothing to do).</summary>
    public static int StridedCopy(Tensor src, Tensor dst, int[] shape, int[] srcStrides, int srcOffset, int[] dstStrides, int dstOffset)
    {
        Require(shape.Length == srcStrides.Length && shape.Length == dstStrides.Length,
            $"strided copy: shape {Tensor.Format(shape)} and strides {Tensor.Format(srcStrides)} / {Tensor.Format(dstStrides)} differ in rank");
        int count = Tensor.ShapeLength(shape);
        if (count == 0) return 0;
        long srcMax = srcOffset, dstMax = dstOffset;
        for (int d = 0; d < shape.Length; d++)
        {
            Require(srcStrides[d] >= 0 && dstStrides[d] >= 0, "strided copy: negative stride");
            srcMax += (long)(shape[d] - 1) * srcStrides[d];
            dstMax += (long)(shape[d] - 1) * dstStrides[d];
        }
        Require(srcOffset >= 0 && srcMax < src.Length, $"strided copy: reads past the source {Tensor.Format(src.Shape)}");
        Require(dstOffset >= 0 && dstMax < dst.Length, $"strided copy: writes past the destination {Tensor.Format(dst.Shape)}");
        return count;
    }

    /// <summary>Layer norm's affine gradients: returns K and the row length n = |ggamma| / K.</summary>
    public static (int K, int N) LayerNormAffine(Tensor x, Tensor stats, Tensor gy, Tensor ggamma, Tensor gbeta)
    {
        int k = TargetCount(x, gy, "layernorm backward (gamma, beta)");
        SameLength(ggamma, gbeta, "layernorm backward (gamma, beta)");
        Require(ggamma.Length % k == 0, "layernorm backward: gamma gradient is not K-batched");
        int n = ggamma.Length / k;
        Require(n > 0 && x.Length % n == 0, $"layernorm backward: rows of {n} do not tile {Tensor.Format(x.Shape)}");
        Require(stats.Length == 2 * (x.Length / n), "layernorm backward: stats must hold 2 values per row");
        return (k, n);
    }

    /// <summary>A channel-slab copy stays inside both tensors, which hold the same batch; returns that batch.</summary>
    public static int CopyChannels(Tensor src, int srcChannels, int srcOffset, Tensor dst, int dstChannels, int dstOffset, int channels, int inner)
    {
        Require(inner >= 1 && channels >= 0 && srcOffset >= 0 && dstOffset >= 0 && srcOffset + channels <= srcChannels && dstOffset + channels <= dstChannels,
            $"copy channels: {channels} channels from offset {srcOffset} of {srcChannels} to offset {dstOffset} of {dstChannels}");
        Require(src.Length % ((long)srcChannels * inner) == 0 && dst.Length % ((long)dstChannels * inner) == 0
                && src.Length / (srcChannels * inner) == dst.Length / (dstChannels * inner),
            $"copy channels: {Tensor.Format(src.Shape)} as [B, {srcChannels}, {inner}] and {Tensor.Format(dst.Shape)} as [B, {dstChannels}, {inner}] disagree");
        return src.Length / (srcChannels * inner);
    }

    /// <summary>A batched GEMM's sizes and operands; false when there is nothing to compute.</summary>
    public static bool Gemm(Tensor a, MatrixLayout la, Tensor b, MatrixLayout lb, Tensor c, MatrixLayout lc, int batch, int m, int k, int n)
    {
        Require(batch >= 0 && m >= 0 && k >= 0 && n >= 0, $"gemm: negative size (batch {batch}, {m}x{k}x{n})");
        if (batch == 0 || m == 0 || n == 0) return false;
        Require(k > 0, "gemm: inner dimension is 0 (C would be all zeros: fill it instead)");
        GemmOperand(a, la, m, k, "A");
        GemmOperand(b, lb, k, n, "B");
        GemmOperand(c, lc, m, n, "C");
        Require(lc.Batches == batch, $"gemm: C has {lc.Batches} batches for a product of {batch}");
        return true;
    }
}
