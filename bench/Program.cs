using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NativeCam.Bench;

// The benchmark suites: `dotnet run -c Release --project bench -- --filter '*'` (see bench/README.md); the
// end-to-end suites run on every backend of BenchDevice (cpu and ilgpu-cpu; NATIVECAM_BENCH_DEVICES overrides).
// Stopwatch modes:
//   e2e [repeats] [devices] [--works a,b] [--out FILE]   the work of bench/pytorch/e2e.py, JSON (bench/vs-pytorch.sh)
//   profile [repeats] [device] [--shapes] [--model M] [--im2col] [--fresh-copy]
//                                                        time per backend op (or per conv shape) of a YOLO forward and detect-cam
//   kernel-table [repeats] [--widths a,b]               depth-wise conv and max pool calls at each SIMD width (KernelTable)
//   conv-table [repeats]                                few-channel strided conv forwards, indirect vs im2col, per GEMM width
//   memory [devices]                                     peak device memory of the YOLO passes
//   cam-profile [repeats] [device]                       where CamBench's time goes (bench/cam-results.md)
//   vit [repeats] [devices]                              ViT-B/16 forward, forward+backward, forward+full backward
//   gemm-table [args]                                    GEMM GFLOP/s and % of measured peak per shape (GemmBench)
//   vs-ort [rounds] [--works a,b] [--out F.md] [--json F] [--ort-keep-spinning|--ort-no-spin] [--sleep-ms N]
//                                                        NativeCam and ONNX Runtime alternately (OrtBench, bench/vs-ort.sh)
//   ort-profile [repeats] [--works a,b] [--out F.md]    per-layer NativeCam vs ORT profile (OrtProfile)
//   ort-check [dir]                                      ORT's outputs of bench/onnx/*.onnx against PyTorch's
//   ort-rss SIDE WORK                                    peak RSS of one side of one vs-ort work (a child of vs-ort)
// NATIVECAM_BENCH_INPROCESS=1 runs every suite's own jobs in this process (no SDK needed to build a host: the
// self-contained package of scripts/gpu-run.sh sets it); `--inProcess` would add a second, default job instead.
string Arg(int i, string fallback) => args.Length > i ? args[i] : fallback;
switch (Arg(0, ""))
{
    case "e2e":
        EndToEnd.Run(args[1..]);
        break;
    case "profile":
        OpProfile.Run(int.Parse(Arg(1, "5")), Arg(2, "cpu"), args.Contains("--shapes"),
            args.SkipWhile(a => a != "--model").Skip(1).FirstOrDefault() ?? "yolov5n", args.Contains("--im2col"),
            args.Contains("--fresh-copy"));
        break;
    case "vs-ort":
        OrtBench.Run(args[1..]);
        break;
    case "ort-profile":
        OrtProfile.Run(args[1..]);
        break;
    case "ort-check":
        Environment.ExitCode = OrtBench.Check(args.Length > 1 ? args[1] : null);
        break;
    case "ort-rss":
        OrtBench.Rss(Arg(1, "ort"), Arg(2, "yolov5n_forward"));
        break;
    case "gemm-table":
        GemmTable.Run(args[1..]);
        break;
    case "kernel-table":
        KernelTable.Run(args[1..]);
        break;
    case "conv-table":
        ConvTable.Run(args[1..]);
        break;
    case "memory":
        MemoryReport.Run(BenchDevice.Parse(Arg(1, "cpu,ilgpu-cpu")));
        break;
    case "cam-profile":
        CamProfile.Run(int.Parse(Arg(1, "5")), Arg(2, "cpu"));
        break;
    case "vit":
        foreach (var device in BenchDevice.Parse(Arg(2, "cpu"))) VitBench.Run(int.Parse(Arg(1, "1")), device);
        break;
    default:
        var config = DefaultConfig.Instance;
        if (Environment.GetEnvironmentVariable("NATIVECAM_BENCH_INPROCESS") == "1")
            config = config.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsMutator());
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        break;
}
