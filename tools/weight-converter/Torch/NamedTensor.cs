namespace NativeCam.Weights.Torch;

/// <summary>A tensor of the checkpoint under its state_dict name, e.g. "model.24.m.0.weight".</summary>
public sealed record NamedTensor(string Name, TorchTensor Tensor);
