using NativeCam.Tensors;

namespace NativeCam.Autograd;

public static partial class Ops
{
    /// <summary>Largest rank Permute accepts (the copy kernel has room for it plus the K-target dimension).</summary>
    public const int MaxPermuteRank = 6;

    /// <summary>torch.permute: output dimension i is input dimension dims[i] (negative dims count from the end). Copies.</summary>
    public static Var Permute(Var x, params int[] dims)
    {
        int rank = x.Shape.Length;
        dims = dims.Select(d => d < 0 ? d + rank : d).ToArray();
        if (rank > MaxPermuteRank || dims.Length != rank || dims.Any(d => d < 0 || d >= rank) || dims.Distinct().Count() != rank)
            throw new ArgumentException($"permute: [{string.Join(", ", dims)}] is not a permutation of the {rank} dimensions of " +
                $"{Tensor.Format(x.Shape)} (rank at most {MaxPermuteRank})");
        int[] strides = Strides(x.Shape);
        int[] shape = dims.Select(d => x.Shape[d]).ToArray();
        var y = Tensor.Empty(x.Device, shape);
        x.Device.Backend.StridedCopy(x.Value, y, shape, dims.Select(d => strides[d]).ToArray(), 0, Strides(shape), 0);
        return Tape.Current.Record(y, () => new PermuteNode(x, dims), x);
    }

    /// <summary>Swaps two dimensions (a permute).</summary>
    public static Var Transpose(Var x, int d0, int d1)
    {
        int rank = x.Shape.Length;
        var dims = Enumerable.Range(0, rank).ToArray();
        int a = d0 < 0 ? d0 + rank : d0, b = d1 < 0 ? d1 + rank : d1;
        if (a < 0 || a >= rank || b < 0 || b >= rank)
            throw new ArgumentException($"transpose: dimensions {d0}, {d1} out of range for {Tensor.Format(x.Shape)}");
        (dims[a], dims[b]) = (dims[b], dims[a]);
        return Permute(x, dims);
    }

    /// <summary>torch.narrow: elements start..start+length−1 along <paramref name="axis"/>, as a contiguous copy.</summary>
    public static Var Narrow(Var x, int axis, int start, int length)
    {
        int rank = x.Shape.Length;
        int ax = axis < 0 ? axis + rank : axis;
        if (ax < 0 || ax >= rank || start < 0 || length < 0 || start + length > x.Shape[ax])
            throw new ArgumentException($"narrow: axis {axis}, start {start}, length {length} outside {Tensor.Format(x.Shape)}");
        int[] strides = Strides(x.Shape);
        int[] shape = (int[])x.Shape.Clone();
        shape[ax] = length;
        var y = Tensor.Empty(x.Device, shape);
        x.Device.Backend.StridedCopy(x.Value, y, shape, strides, start * strides[ax], Strides(shape), 0);
        return Tape.Current.Record(y, () => new NarrowNode(x, ax, start, shape), x);
    }

    /// <summary>Row-major strides of a shape.</summary>
    static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int step = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { s[d] = step; step *= shape[d]; }
        return s;
    }

    /// <summary>
    /// The inverse permutation as a copy: walk gy ([K, ..y]) contiguously and write each element where its
    /// input element lives. K is a leading dimension that stays in place (stride |x| in gx).
    /// </summary>
    sealed class PermuteNode(Var x, int[] dims) : Node(x)
    {
        public override string Op => "Permute";

        public override void Backward(Tensor gy, Tape tape)
        {
            int k = Targets(gy);
            var gx = GradLike(x, k);
            int[] xStrides = Strides(x.Shape);
            int[] shape = [k, .. Output.Shape];
            Backend(x).StridedCopy(gy, gx, shape, Strides(shape), 0, [x.Value.Length, .. dims.Select(d => xStrides[d])], 0);
            tape.AddGrad(x, gx);
        }
    }

    /// <summary>gx is zero except the narrowed window, which receives gy (per target).</summary>
    sealed class NarrowNode(Var x, int axis, int start, int[] shape) : Node(x)
    {
        public override string Op => "Narrow";

        public override void Backward(Tensor gy, Tape tape)
        {
            int k = Targets(gy);
            var gx = GradLike(x, k);
            Backend(x).Fill(gx, 0f);
            int[] xStrides = Strides(x.Shape);
            int[] gyShape = [k, .. shape];
            Backend(x).StridedCopy(gy, gx, gyShape, Strides(gyShape), 0, [x.Value.Length, .. xStrides], start * xStrides[axis]);
            tape.AddGrad(x, gx);
        }
    }
}
