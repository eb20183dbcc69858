using BenchmarkDotNet.Attributes;
using ILGPU.Runtime;
using Device = NativeCam.Tensors.Device;
using NativeCam.Tensors;

namespace NativeCam.Bench;

/// <summary>
/// The pointwise, dense and spatial ops of the CPU backends side by side, on the shapes YOLOv5 and ViT-B/16 use:
/// <c>simd</c> is CpuBackend (Vector512 here), <c>simd256</c> the same kernels at Vector256, <c>ilgpu</c> the ILGPU
/// kernels on ILGPU's CPU accelerator (what CpuBackend delegated to before). Run:
/// <c>dotnet run -c Release --project bench -- --filter '*OpsBench*'</c>.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class OpsBench
{
    [Params("simd", "simd256", "ilgpu")]
    public string Backend { get; set; } = "simd";

    Device _device = null!;
    IBackend _b = null!;
    Tensor _act = null!, _actOut = null!, _actGrad = null!, _channel = null!;
    Tensor _mlp = null!, _mlpOut = null!, _scores = null!, _probs = null!;
    Tensor _tokens = null!, _tokensOut = null!, _gamma = null!, _beta = null!, _stats = null!, _tokensGrad = null!;
    Tensor _qkv = null!, _qkvOut = null!, _patches = null!, _patchesOut = null!;
    Tensor _pool = null!, _poolOut = null!, _up = null!, _upOut = null!, _means = null!;

    [GlobalSetup]
    public void Setup()
    {
        _device = Backend == "ilgpu" ? Device.OpenIlgpuCpu() : Device.OpenCpu();
        _b = Backend == "simd256" ? new CpuBackend(_device, SimdWidth.Vector256) : _device.Backend;
        var rng = new Random(1);
        Tensor Random(params int[] shape)
        {
            var data = new float[Tensor.ShapeLength(shape)];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 8 - 4);
            return Tensor.FromArray(_device, data, shape);
        }
        _act = Random(1, 64, 160, 160); // 1.6M: a YOLOv5 activation at 640
        _actOut = Tensor.Empty(_device, 1, 64, 160, 160);
        _actGrad = Random(1, 64, 160, 160);
        _channel = Random(64);
        _mlp = Random(197, 3072);       // ViT-B/16 MLP hidden
        _mlpOut = Tensor.Empty(_device, 197, 3072);
        _scores = Random(12, 197, 197); // attention scores of one block
        _probs = Tensor.Empty(_device, 12, 197, 197);
        _tokens = Random(197, 768);
        _tokensOut = Tensor.Empty(_device, 197, 768);
        _tokensGrad = Tensor.Empty(_device, 197, 768);
        _gamma = Random(768);
        _beta = Random(768);
        _stats = Tensor.Empty(_device, 197, 2);
        _qkv = Random(1, 197, 3, 12, 64);
        _qkvOut = Tensor.Empty(_device, 3, 1, 12, 197, 64);
        _patches = Random(1, 768, 196);
        _patchesOut = Tensor.Empty(_device, 1, 196, 768);
        _pool = Random(1, 256, 40, 40);
        _poolOut = Tensor.Empty(_device, 1, 256, 40, 40);
        _up = Random(1, 128, 40, 40);
        _upOut = Tensor.Empty(_device, 1, 128, 80, 80);
        _means = Tensor.Empty(_device, 256);
    }

    [GlobalCleanup]
    public void Cleanup() => _device.Dispose();

    void Done() => _device.Synchronize();

    [Benchmark] public void Silu() { _b.Unary(UnaryOp.Silu, _act, _actOut); Done(); }

    [Benchmark] public void SiluBackward() { _b.UnaryBackward(UnaryOp.Silu, _act, _actGrad, _actOut); Done(); }

    [Benchmark] public void MulPerChannel() { _b.Binary(BinaryOp.Mul, _act, _channel, _actOut, 160 * 160); Done(); }

    [Benchmark] public void Gelu() { _b.Unary(UnaryOp.Gelu, _mlp, _mlpOut); Done(); }

    [Benchmark] public void Softmax() { _b.Softmax(_scores, _probs, 197); Done(); }

    [Benchmark] public void LayerNorm() { _b.LayerNorm(_tokens, _gamma, _beta, _tokensOut, _stats, 1e-6f); Done(); }

    [Benchmark] public void LayerNormBackward() { _b.LayerNormBackward(_tokens, _gamma, _stats, _tokensOut, _tokensGrad); Done(); }

    /// <summary>ViT attention's [B, T, 3, H, D] → [3, B, H, T, D].</summary>
    [Benchmark]
    public void PermuteQkv()
    {
        _b.StridedCopy(_qkv, _qkvOut, [3, 1, 12, 197, 64], [64 * 12, 197 * 3 * 768, 64, 3 * 768, 1], 0, [12 * 197 * 64, 12 * 197 * 64, 197 * 64, 64, 1], 0);
        Done();
    }

    /// <summary>ViT's patch embedding [B, C, T] → [B, T, C].</summary>
    [Benchmark]
    public void TransposePatches()
    {
        _b.StridedCopy(_patches, _patchesOut, [1, 196, 768], [768 * 196, 1, 196], 0, [196 * 768, 768, 1], 0);
        Done();
    }

    /// <summary>YOLOv5 SPPF's 5×5 stride-1 max pool.</summary>
    [Benchmark] public void MaxPool5() { _b.MaxPool2d(_pool, _poolOut, 5, 1, 2); Done(); }

    [Benchmark] public void Upsample2() { _b.Upsample(_up, _upOut, 2); Done(); }

    [Benchmark] public void MeanOverPlane() { _b.Reduce(ReduceOp.Mean, _pool, _means, 256, 1600, 1); Done(); }
}

/// <summary>
/// SiLU on 1.6M floats (6.5 MB in, 6.5 MB out) by way of its exp: CpuBackend at each vector width (the polynomial exp
/// of SimdMath), the same loop with Vector512.Exp (.NET's own), and scalar MathF.Exp, all split over the cores the
/// same way. Memory bound at ~45 GB/s would be ~0.3 ms.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public unsafe class SiluBench
{
    const int N = 64 * 160 * 160;
    Device _device = null!;
    Tensor _x = null!, _y = null!;
    CpuBackend _v512 = null!, _v256 = null!, _scalar = null!;

    [GlobalSetup]
    public void Setup()
    {
        _device = Device.OpenCpu();
        var rng = new Random(1);
        var data = new float[N];
        for (int i = 0; i < N; i++) data[i] = (float)(rng.NextDouble() * 8 - 4);
        _x = Tensor.FromArray(_device, data, N);
        _y = Tensor.Empty(_device, N);
        _v512 = new CpuBackend(_device, SimdWidth.Vector512);
        _v256 = new CpuBackend(_device, SimdWidth.Vector256);
        _scalar = new CpuBackend(_device, SimdWidth.Scalar);
    }

    [GlobalCleanup]
    public void Cleanup() => _device.Dispose();

    [Benchmark(Baseline = true)] public void PolynomialVector512() => _v512.Unary(UnaryOp.Silu, _x, _y);

    [Benchmark] public void PolynomialVector256() => _v256.Unary(UnaryOp.Silu, _x, _y);

    [Benchmark] public void PolynomialScalar() => _scalar.Unary(UnaryOp.Silu, _x, _y);

    [Benchmark]
    public void DotnetVector512Exp()
    {
        float* x = (float*)_x.View.LoadEffectiveAddressAsPtr(), y = (float*)_y.View.LoadEffectiveAddressAsPtr();
        CpuParallel.For(N, 16384, (s, e) =>
        {
            for (int i = s; i < e; i += 16)
            {
                var v = System.Runtime.Intrinsics.Vector512.Load(x + i);
                var one = System.Runtime.Intrinsics.Vector512<float>.One;
                System.Runtime.Intrinsics.Vector512.Store(v / (one + System.Runtime.Intrinsics.Vector512.Exp(-v)), y + i);
            }
        });
    }

    [Benchmark]
    public void ScalarMathF()
    {
        float* x = (float*)_x.View.LoadEffectiveAddressAsPtr(), y = (float*)_y.View.LoadEffectiveAddressAsPtr();
        CpuParallel.For(N, 16384, (s, e) =>
        {
            for (int i = s; i < e; i++) y[i] = x[i] / (1f + MathF.Exp(-x[i]));
        });
    }
}
