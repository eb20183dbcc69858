namespace NativeCam.Tests;

/// <summary>Float64 reference forwards of the dense ops: plain loops over row-major arrays.</summary>
public static class RefDense
{
    public static int Length(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    public static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        for (int d = shape.Length - 1, step = 1; d >= 0; step *= shape[d], d--) s[d] = step;
        return s;
    }

    /// <summary>
    /// op(A) @ op(B) with PyTorch batching (equal batch dims, or one side 2-D); ta/tb: the operand is stored
    /// with its last two dimensions swapped.
    /// </summary>
    public static double[] MatMul(double[] a, int[] aShape, double[] b, int[] bShape, bool ta = false, bool tb = false)
    {
        int ar = aShape[^2], ac = aShape[^1], br = bShape[^2], bc = bShape[^1];
        int m = ta ? ac : ar, k = ta ? ar : ac, n = tb ? br : bc;
        int aBatch = Length(aShape[..^2]), bBatch = Length(bShape[..^2]);
        int batch = Math.Max(aBatch, bBatch);
        var c = new double[batch * m * n];
        for (int bt = 0; bt < batch; bt++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++)
                    {
                        double av = a[bt % aBatch * ar * ac + (ta ? p * ac + i : i * ac + p)];
                        double bv = b[bt % bBatch * br * bc + (tb ? j * bc + p : p * bc + j)];
                        s += av * bv;
                    }
                    c[(bt * m + i) * n + j] = s;
                }
        return c;
    }

    /// <summary>x @ weightᵀ + bias, weight [out, in].</summary>
    public static double[] Linear(double[] x, double[] w, double[] bias, int inF, int outF)
    {
        int rows = x.Length / inF;
        var y = new double[rows * outF];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outF; o++)
            {
                double s = bias[o];
                for (int i = 0; i < inF; i++) s += x[r * inF + i] * w[o * inF + i];
                y[r * outF + o] = s;
            }
        return y;
    }

    public static double[] Softmax(double[] x, int n)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / n; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < n; j++) max = Math.Max(max, x[r * n + j]);
            for (int j = 0; j < n; j++) sum += Math.Exp(x[r * n + j] - max);
            for (int j = 0; j < n; j++) y[r * n + j] = Math.Exp(x[r * n + j] - max) / sum;
        }
        return y;
    }

    public static double[] LayerNorm(double[] x, double[] gamma, double[] beta, double eps)
    {
        int n = gamma.Length;
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / n; r++)
        {
            double mean = 0, var = 0;
            for (int j = 0; j < n; j++) mean += x[r * n + j] / n;
            for (int j = 0; j < n; j++) var += (x[r * n + j] - mean) * (x[r * n + j] - mean) / n;
            for (int j = 0; j < n; j++) y[r * n + j] = (x[r * n + j] - mean) / Math.Sqrt(var + eps) * gamma[j] + beta[j];
        }
        return y;
    }

    /// <summary>Sum, mean or max over a set of axes (empty: all), by visiting every input element once.</summary>
    public static double[] Reduce(string op, double[] x, int[] shape, int[] axes)
    {
        var set = axes.Length == 0 ? Enumerable.Range(0, shape.Length).ToHashSet() : axes.Select(a => a < 0 ? a + shape.Length : a).ToHashSet();
        var outShape = shape.Select((d, i) => set.Contains(i) ? 1 : d).ToArray();
        var outStrides = Strides(outShape);
        var y = Enumerable.Repeat(op == "max" ? double.NegativeInfinity : 0.0, Length(outShape)).ToArray();
        int count = shape.Where((_, i) => set.Contains(i)).Aggregate(1, (a, b) => a * b);
        for (int e = 0; e < x.Length; e++)
        {
            int rest = e, o = 0;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                int i = rest % shape[d];
                rest /= shape[d];
                if (!set.Contains(d)) o += i * outStrides[d];
            }
            y[o] = op == "max" ? Math.Max(y[o], x[e]) : y[o] + (op == "mean" ? x[e] / count : x[e]);
        }
        return y;
    }

    /// <summary>y[i_0..i_r] with output dimension d being input dimension dims[d].</summary>
    public static double[] Permute(double[] x, int[] shape, int[] dims)
    {
        var inStrides = Strides(shape);
        var outShape = dims.Select(d => shape[d]).ToArray();
        var y = new double[x.Length];
        for (int e = 0; e < y.Length; e++)
        {
            int rest = e, src = 0;
            for (int d = outShape.Length - 1; d >= 0; d--)
            {
                src += rest % outShape[d] * inStrides[dims[d]];
                rest /= outShape[d];
            }
            y[e] = x[src];
        }
        return y;
    }

    public static double[] Narrow(double[] x, int[] shape, int axis, int start, int length)
    {
        int ax = axis < 0 ? axis + shape.Length : axis;
        int outer = Length(shape[..ax]), inner = Length(shape[(ax + 1)..]);
        var y = new double[outer * length * inner];
        for (int o = 0; o < outer; o++)
            for (int r = 0; r < length; r++)
                for (int i = 0; i < inner; i++)
                    y[(o * length + r) * inner + i] = x[(o * shape[ax] + start + r) * inner + i];
        return y;
    }
}
