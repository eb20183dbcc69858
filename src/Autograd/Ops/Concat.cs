using NativeCam.Tensors;

namespace NativeCam.Autograd;

public static partial class Ops
{
    /// <summary>
    /// torch.cat(xs, dim=1): joins tensors of equal shape except dimension 1 (channels of NCHW). Backward hands
    /// each input its channel slice of the gradient.
    /// </summary>
    public static Var Concat(params Var[] xs)
    {
        if (xs.Length == 0) throw new ArgumentException("Concat: no inputs");
        xs = MatchBatch(xs);
        var first = xs[0].Shape;
        if (first.Length < 2) throw new ArgumentException($"Concat: inputs need a channel dimension, got {Tensor.Format(first)}");
        int channels = 0;
        foreach (var x in xs)
        {
            var s = x.Shape;
            bool match = s.Length == first.Length;
            for (int d = 0; match && d < s.Length; d++) match = d == 1 || s[d] == first[d];
            if (!match)
                throw new ArgumentException($"Concat: {Tensor.Format(s)} does not match {Tensor.Format(first)} outside dimension 1");
            if (x.Device != xs[0].Device) throw new ArgumentException("Concat: inputs live on different devices");
            channels += s[1];
        }
        int inner = Tensor.ShapeLength(first.AsSpan(2));
        int[] shape = [.. first];
        shape[1] = channels;

        var y = Tensor.Empty(xs[0].Device, shape);
        var backend = xs[0].Device.Backend;
        int offset = 0;
        foreach (var x in xs)
        {
            backend.CopyChannels(x.Value, x.Shape[1], 0, y, channels, offset, x.Shape[1], inner);
            offset += x.Shape[1];
        }
        return Tape.Current.Record(y, () => new ConcatNode(xs, channels, inner), xs);
    }

    // Input i's gradient is channels [offset_i, offset_i + C_i) of gy; gy holds K·N images, the same copy applies.
    sealed class ConcatNode(Var[] inputs, int channels, int inner) : Node(inputs)
    {
        public override string Op => "Concat";

        public override void Backward(Tensor gy, Tape tape)
        {
            int k = Targets(gy), offset = 0;
            foreach (var x in Inputs)
            {
                int c = x.Shape[1];
                if (x.RequiresGrad)
                {
                    var gx = GradLike(x, k);
                    Backend(x).CopyChannels(gy, channels, offset, gx, c, 0, c, inner);
                    tape.AddGrad(x, gx);
                }
                offset += c;
            }
        }
    }
}
