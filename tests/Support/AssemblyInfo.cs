using Xunit;

// All tests share one CPU-accelerator device (see TestDevice); ILGPU launches on one accelerator are
// not meant to interleave from several threads, so tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
