using System.Runtime.CompilerServices;

// ILGPU's CPU accelerator emits a dynamic assembly that must see the kernels' internal parameter structs.
[assembly: InternalsVisibleTo("ILGPURuntime")]
