using NativeCam.Tensors;

namespace NativeCam.Tests;

/// <summary>
/// The same float32 data on the SIMD CPU device (<see cref="Cpu"/>, the kernels under test) and on ILGPU's CPU
/// accelerator (<see cref="Reference"/>, the ILGPU kernels they must match bit for bit).
/// </summary>
public sealed class DevicePair(float[] data, int[] shape) : IDisposable
{
    public readonly Tensor Cpu = Tensor.FromArray(TestDevice.Simd, data, shape);
    public readonly Tensor Reference = Tensor.FromArray(TestDevice.IlgpuCpu, data, shape);
    public readonly float[] Data = data;

    public static DevicePair Random(Rng rng, double lo, double hi, params int[] shape) =>
        new(rng.Uniform(Tensor.ShapeLength(shape), lo, hi).Select(v => (float)v).ToArray(), shape);

    public static DevicePair Random(int seed, double lo, double hi, params int[] shape) => Random(new Rng(seed), lo, hi, shape);

    public static DevicePair Empty(params int[] shape) => new(new float[Tensor.ShapeLength(shape)], shape);

    public void Dispose()
    {
        Cpu.Dispose();
        Reference.Dispose();
    }
}
