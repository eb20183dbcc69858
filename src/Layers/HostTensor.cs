using NativeCam.Tensors;

namespace NativeCam.Layers;

/// <summary>A weight on the host: row-major float32 data and its shape, as read from a checkpoint.</summary>
public sealed record HostTensor(float[] Data, int[] Shape)
{
    public int Length => Data.Length;

    public Tensor ToDevice(Device device) => Tensor.FromArray(device, Data, Shape);

    public override string ToString() => $"HostTensor{Tensor.Format(Shape)}";
}
