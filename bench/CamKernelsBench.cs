using BenchmarkDotNet.Attributes;
using NativeCam.Cam;
using NativeCam.Tensors;
using Device = NativeCam.Tensors.Device;

namespace NativeCam.Bench;

/// <summary>
/// The CAM map kernels (<see cref="ICamKernels"/>) side by side on the layers of yolov5n at 640×480 with K = 5
/// targets (model.17/20/23.cv3.act: 64×60×80, 128×30×40, 256×15×20; random data of the same sizes):
/// <c>simd</c> is <see cref="CpuCamKernels"/> (Vector512 here), <c>simd256</c> the same at Vector256, <c>ilgpu</c>
/// the ILGPU kernels on ILGPU's CPU accelerator (what the `cpu` device ran before). Run:
/// <c>dotnet run -c Release --project bench -- --filter '*CamKernelsBench*'</c>.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class CamKernelsBench
{
    [Params("simd", "simd256", "ilgpu")]
    public string Kernels { get; set; } = "simd";

    const int K = 5;
    static readonly (int C, int H, int W)[] Layers = [(64, 60, 80), (128, 30, 40), (256, 15, 20)];

    Device _device = null!;
    ICamKernels _kernels = null!;
    Tensor[] _a = null!, _g = null!, _weights = null!, _maps = null!, _ranges = null!, _products = null!, _eigenMaps = null!, _scratch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _device = Kernels == "ilgpu" ? Device.OpenIlgpuCpu() : Device.OpenCpu();
        _kernels = Kernels switch
        {
            "simd256" => new CpuCamKernels(SimdWidth.Vector256),
            _ => CamKernels.For(_device),
        };
        var rng = new Random(1);
        Tensor Random(float scale, params int[] shape)
        {
            var data = new float[Tensor.ShapeLength(shape)];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 0.5) * scale;
            return Tensor.FromArray(_device, data, shape);
        }
        _a = Layers.Select(l => Random(1f, 1, l.C, l.H, l.W)).ToArray();
        _g = Layers.Select(l => Random(1e-3f, K, 1, l.C, l.H, l.W)).ToArray();
        _weights = Layers.Select(l => Tensor.Empty(_device, K, l.C)).ToArray();
        _maps = Layers.Select(l => Tensor.Empty(_device, K, l.H, l.W)).ToArray();
        _ranges = Layers.Select(_ => Tensor.Empty(_device, K, 2)).ToArray();
        _products = Layers.Select(l => Tensor.Empty(_device, K, l.C, l.H * l.W)).ToArray();
        _eigenMaps = Layers.Select(l => Tensor.Empty(_device, K, l.H * l.W)).ToArray();
        _scratch = Layers.Select(l => Tensor.Empty(_device, IlgpuCamKernels.EigenScratch(K, l.C, l.H * l.W))).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _a, _g, _weights, _maps, _ranges, _products, _eigenMaps, _scratch }.SelectMany(x => x)) t.Dispose();
        _device.Dispose();
    }

    /// <summary>The maps phase of a Grad-CAM request: weights and weighted sum at the three layers.</summary>
    [Benchmark(Baseline = true)]
    public void GradCam()
    {
        for (int i = 0; i < Layers.Length; i++)
        {
            _kernels.ChannelWeights(CamMethod.GradCam, _a[i], _g[i], _weights[i], 0);
            _kernels.WeightedSum(_a[i], _weights[i], _maps[i]);
        }
        _device.Synchronize();
    }

    /// <summary>Grad-CAM++, XGrad-CAM, LayerCAM and HiResCAM at the three layers, with each map's range.</summary>
    [Benchmark]
    public void OtherGradientMethods()
    {
        for (int i = 0; i < Layers.Length; i++)
        {
            int p = Layers[i].H * Layers[i].W;
            foreach (var m in new[] { CamMethod.GradCamPlusPlus, CamMethod.XGradCam })
            {
                _kernels.ChannelWeights(m, _a[i], _g[i], _weights[i], 0);
                _kernels.WeightedSum(_a[i], _weights[i], _maps[i]);
                _kernels.MapRange(_maps[i], p, _ranges[i]);
            }
            foreach (var m in new[] { CamMethod.LayerCam, CamMethod.HiResCam })
            {
                _kernels.PixelSum(m, _a[i], _g[i], _maps[i]);
                _kernels.MapRange(_maps[i], p, _ranges[i]);
            }
        }
        _device.Synchronize();
    }

    /// <summary>EigenCAM (one map) at the three layers, 200 power-iteration steps.</summary>
    [Benchmark]
    public void EigenCam()
    {
        for (int i = 0; i < Layers.Length; i++)
        {
            int c = Layers[i].C, p = Layers[i].H * Layers[i].W;
            using var map = _eigenMaps[i].Slice(0, 1, p);
            _kernels.EigenProjection(_a[i], c, p, map, 200, _scratch[i]);
        }
        _device.Synchronize();
    }

    /// <summary>EigenGrad-CAM (K maps, from A ⊙ G) at the three layers, 200 power-iteration steps.</summary>
    [Benchmark]
    public void EigenGradCam()
    {
        for (int i = 0; i < Layers.Length; i++)
        {
            int c = Layers[i].C, p = Layers[i].H * Layers[i].W;
            _kernels.Product(_a[i], _g[i], _products[i]);
            _kernels.EigenProjection(_products[i], c, p, _eigenMaps[i], 200, _scratch[i]);
        }
        _device.Synchronize();
    }
}
