using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>
/// ShuffleNet's channel shuffle (torchvision's <c>channel_shuffle</c>): [N, C, H, W] viewed as [N, g, C/g, H, W],
/// groups and channels transposed, flattened back: output channel j·g + i is input channel i·(C/g) + j. Composed
/// from Reshape and Permute (both tested ops).
/// </summary>
public static class ChannelShuffle
{
    /// <summary>The shuffle of <paramref name="x"/> [N, C, H, W] with <paramref name="groups"/> groups (C divisible by it).</summary>
    public static Var Apply(Var x, int groups)
    {
        if (x.Shape is not [var n, var c, var h, var w] || c % groups != 0)
            throw new ArgumentException($"channel shuffle: {Tensor.Format(x.Shape)} is not [N, C, H, W] with C divisible by {groups}");
        var y = Ops.Transpose(Ops.Reshape(x, n, groups, c / groups, h, w), 1, 2);
        return Ops.Reshape(y, n, c, h, w);
    }
}
