namespace NativeCam.Tensors;

/// <summary>
/// How a kernel's N work items are spread over its launched threads. Thread t handles the items
/// [t*Chunk, t*Chunk + Chunk), then jumps ahead by Stride = threads*Chunk. On a GPU Chunk is 1
/// (a classic grid-stride loop: neighbouring threads touch neighbouring items); on ILGPU's CPU
/// accelerator, where each simulated thread costs ~1 µs, a few threads each take one contiguous block.
/// Kernels iterate with <c>for (int c = t * w.Chunk; c &lt; w.N; c += w.Stride) for (int i = c; i &lt; w.End(c); i++)</c>.
/// </summary>
public readonly struct Work
{
    public readonly int N;
    public readonly int Chunk;
    public readonly int Stride;

    public Work(int n, int chunk, int threads)
    {
        N = n;
        Chunk = chunk;
        Stride = chunk * threads;
    }

    /// <summary>End (exclusive) of the chunk starting at c.</summary>
    public int End(int c) => c + Chunk < N ? c + Chunk : N;
}

/// <summary>Chooses the launch shape for N work items on a device (one kernel source, two shapes).</summary>
public static class Launch
{
    /// <summary>Simulated threads per CPU core: a few per core balances uneven chunks at ~1 µs each.</summary>
    const int CpuThreadsPerCore = 4;

    /// <summary>Returns the number of threads to launch and the matching <see cref="Work"/> split.</summary>
    public static (int Threads, Work Work) Plan(Device device, int n)
    {
        if (n <= 0) return (0, new Work(0, 1, 1));
        var acc = device.Accelerator;
        if (device.IsCpu)
        {
            int threads = Math.Min(n, Math.Max(1, Environment.ProcessorCount) * CpuThreadsPerCore);
            int chunk = (n + threads - 1) / threads;
            threads = (n + chunk - 1) / chunk;
            return (threads, new Work(n, chunk, threads));
        }
        int gpuThreads = (int)Math.Min(n, (long)acc.NumMultiprocessors * acc.MaxNumThreadsPerMultiprocessor * 2);
        return (gpuThreads, new Work(n, 1, gpuThreads));
    }
}
