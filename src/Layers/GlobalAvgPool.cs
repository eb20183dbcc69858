using NativeCam.Autograd;

namespace NativeCam.Layers;

/// <summary>nn.AdaptiveAvgPool2d(1) followed by torch.flatten(x, 1): [N, C, H, W] → [N, C], the mean over H and W.</summary>
public static class GlobalAvgPool
{
    /// <summary>The per-channel mean of <paramref name="x"/> [N, C, H, W], as [N, C].</summary>
    public static Var Apply(Var x) => Ops.Mean(x, 2, 3);
}
