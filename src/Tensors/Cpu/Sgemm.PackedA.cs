namespace NativeCam.Tensors;

// A packed once and shared: a convolution's weights are the A of every pixel tile's product, and the column
// ranges of one parallel product all read the same A. Packing it per tile or range cost up to ~10 % of a conv
// (YOLOv5s: 512×2304 floats per 44-pixel tile); packed once, every product reads the same slivers.
internal static unsafe partial class Sgemm
{
    /// <summary>The MR of a path's micro-kernel.</summary>
    static int MRFor(Path path) => path switch
    {
        Path.Vector512 => Kernel512.MR,
        Path.Vector256 => Kernel6<V256>.MR,
        Path.Vector128 => Kernel6<V128>.MR,
        _ => KernelScalar.MR,
    };

    /// <summary>
    /// A [M, K] in the order <see cref="Block{TKernel}"/> reads it, for the micro-kernel of the path current when it
    /// was packed: K in the blocks a product uses (equal steps of at most KC), and within the block starting at
    /// step pc, which is kc long, row sliver i (MR rows, zero-padded) at pc·PaddedRows + i·kc. Owns its buffer.
    /// </summary>
    internal sealed class PackedA : IDisposable
    {
        public readonly int M, K, MR, PaddedRows;

        public float* Data { get; private set; }

        public PackedA(int m, int k, float* a, long aRow, long aCol, bool parallel = true)
        {
            (M, K, MR) = (m, k, MRFor(Current));
            PaddedRows = (m + MR - 1) / MR * MR;
            Data = PackBuffers.Rent((long)PaddedRows * Math.Max(1, k));
            switch (Current)
            {
                case Path.Vector512: Fill<Kernel512>(a, aRow, aCol, parallel); break;
                case Path.Vector256: Fill<Kernel6<V256>>(a, aRow, aCol, parallel); break;
                case Path.Vector128: Fill<Kernel6<V128>>(a, aRow, aCol, parallel); break;
                default: Fill<KernelScalar>(a, aRow, aCol, parallel); break;
            }
        }

        void Fill<TKernel>(float* a, long aRow, long aCol, bool parallel) where TKernel : IMicroKernel
        {
            int kcStep = KStep(K), blocks = (K + kcStep - 1) / kcStep, slivers = PaddedRows / MR, m = M, k = K, rows = PaddedRows;
            float* data = Data;
            nint pa = (nint)a, pd = (nint)data;
            void Pack(int item)
            {
                int pc = item / slivers * kcStep, r = item % slivers * TKernel.MR, kc = Math.Min(kcStep, k - pc);
                PackA<TKernel>((float*)pa + r * aRow + pc * aCol, aRow, aCol, Math.Min(TKernel.MR, m - r), kc,
                    (float*)pd + (long)pc * rows + (long)r * kc);
            }
            int items = blocks * slivers;
            // Parallel only when there is enough to copy to repay the wake-up (~64K floats).
            if (parallel && (long)rows * k >= 1 << 16) CpuParallel.For(items, 1, (i0, i1) => { for (int i = i0; i < i1; i++) Pack(i); });
            else
                for (int i = 0; i < items; i++) Pack(i);
        }

        public void Dispose()
        {
            if (Data == null) return;
            PackBuffers.Return(Data);
            Data = null;
        }
    }
}
