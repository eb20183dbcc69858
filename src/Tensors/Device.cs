using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace NativeCam.Tensors;

/// <summary>
/// One accelerator and everything tied to it: the ILGPU context, the caching buffer pool and the
/// backend whose kernels are compiled once per device. Create one per process and share it.
/// </summary>
public sealed class Device : IDisposable
{
    readonly Context _context;
    public Accelerator Accelerator { get; }
    public DeviceKind Kind { get; }
    public BufferPool Pool { get; }
    public IBackend Backend { get; private set; }

    /// <summary>True on ILGPU's CPU accelerator (both CPU kinds): ILGPU kernels are then launched with few, coarse
    /// threads, and device memory is host memory that plain C# can read and write through a pointer.</summary>
    public bool IsCpu => Accelerator.AcceleratorType == AcceleratorType.CPU;

    public string Description => Kind switch
    {
        DeviceKind.Cpu => $"cpu: SIMD backend, {CpuBackend.Describe()}",
        DeviceKind.IlgpuCpu => $"ilgpu-cpu: {Accelerator.Name} ({Accelerator.NumMultiprocessors * Accelerator.MaxNumThreadsPerMultiprocessor} simulated threads)",
        _ => $"{Kind.Name()}: {Accelerator.Name} ({Accelerator.MemorySize / (1 << 20)} MiB, {Accelerator.NumMultiprocessors} SMs)",
    };

    Device(Context context, Accelerator accelerator, DeviceKind kind)
    {
        _context = context;
        Accelerator = accelerator;
        Kind = kind;
        Pool = new BufferPool(accelerator);
        Backend = kind == DeviceKind.Cpu ? new CpuBackend(this) : new IlgpuBackend(this);
    }

    /// <summary>Opens the device named by <paramref name="choice"/> (auto|cuda|opencl|cpu|ilgpu-cpu; null: $NATIVECAM_DEVICE, else auto).</summary>
    public static Device Open(string? choice = null) => Open(DeviceKinds.Parse(choice));

    public static Device Open(DeviceKind kind)
    {
        var context = Context.Create(b => b.Default().EnableAlgorithms());
        try
        {
            if (kind is DeviceKind.Cuda or DeviceKind.Auto && context.GetCudaDevices().Count > 0)
                return new Device(context, context.CreateCudaAccelerator(0), DeviceKind.Cuda);
            if (kind == DeviceKind.Cuda) throw new DeviceUnavailableException("no CUDA device found (try --device cpu)");
            if (kind is DeviceKind.OpenCL or DeviceKind.Auto && context.GetCLDevices().Count > 0)
                return new Device(context, context.CreateCLAccelerator(0), DeviceKind.OpenCL);
            if (kind == DeviceKind.OpenCL) throw new DeviceUnavailableException("no OpenCL device found (try --device cpu)");
            return Cpu(context, kind == DeviceKind.IlgpuCpu ? DeviceKind.IlgpuCpu : DeviceKind.Cpu);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>The SIMD CPU backend (host memory from ILGPU's CPU accelerator, so the few ILGPU kernels
    /// outside the backend, such as the letterbox or the CAM renderer, still run on the same buffers).</summary>
    public static Device OpenCpu() => Cpu(Context.Create(b => b.Default().EnableAlgorithms()), DeviceKind.Cpu);

    /// <summary>The ILGPU kernels on ILGPU's CPU simulator: the GPU code path, checked without a GPU.</summary>
    public static Device OpenIlgpuCpu() => Cpu(Context.Create(b => b.Default().EnableAlgorithms()), DeviceKind.IlgpuCpu);

    // One simulated warp of 2 threads per core group: launches cost ~3x less than the default CPU device
    // (see the shared notes).
    static Device Cpu(Context context, DeviceKind kind)
    {
        int cores = Math.Max(1, Environment.ProcessorCount);
        var cpu = new CPUDevice(2, 1, Math.Max(1, cores / 2));
        return new Device(context, cpu.CreateAccelerator(context), kind);
    }

    /// <summary>
    /// Starts timing every backend call on this device (see <see cref="ProfilingBackend"/>); returns the profiler.
    /// Calling it again returns the same one.
    /// </summary>
    public ProfilingBackend Profile()
    {
        if (Backend is ProfilingBackend p) return p;
        var profiler = new ProfilingBackend(Backend, this);
        Backend = profiler;
        return profiler;
    }

    /// <summary>Waits for all queued kernels.</summary>
    public void Synchronize() => Accelerator.Synchronize();

    public void Dispose()
    {
        ((Backend as ProfilingBackend)?.Inner as IDisposable ?? Backend as IDisposable)?.Dispose();
        Pool.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }
}
