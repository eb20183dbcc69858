namespace NativeCam.Weights.Torch;

/// <summary>
/// A weight file after its container was read: the unpickled object (or, for safetensors, a state dict
/// built from the header), where its storages' bytes are, and what the container said about itself.
/// </summary>
/// <param name="Root">What torch.load would return, as inert data.</param>
/// <param name="Storages">Reads the bytes of the storages that <paramref name="Root"/>'s tensors point into.</param>
/// <param name="Format">One of <see cref="SourceFormats"/>.</param>
/// <param name="FileMetadata">Free-form text the container carries (safetensors' __metadata__); empty otherwise.</param>
public sealed record OpenedCheckpoint(object? Root, IStorageReader Storages, string Format, IReadOnlyDictionary<string, string> FileMetadata);
