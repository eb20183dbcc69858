using NativeCam.Tensors;

namespace NativeCam.Yolo;

/// <summary>One raw Detect conv output on the host: row-major data of shape [1, na·(nc + 5), ny, nx].</summary>
public sealed record DetectOutput(float[] Data, int[] Shape)
{
    /// <summary>Copies a device tensor to the host once.</summary>
    public static DetectOutput FromTensor(Tensor t) => new(t.ToArray(), (int[])t.Shape.Clone());

    public int GridHeight => Shape[2];
    public int GridWidth => Shape[3];

    /// <summary>Raw value of channel <paramref name="channel"/> at grid cell (y, x).</summary>
    public float At(int channel, int y, int x) => Data[(channel * Shape[2] + y) * Shape[3] + x];
}
