namespace NativeCam.Weights;

/// <summary>
/// One module of a pickled nn.Module tree, as data: its class (e.g. <c>torch.nn.modules.activation.SiLU</c>)
/// and its plain attributes (numbers, bools, strings, short tuples: a BatchNorm's <c>eps</c>, a Conv2d's
/// <c>stride</c>). Model builders read activations and epsilons from here instead of assuming them.
/// </summary>
public sealed record ModuleRecord(string ClassName, IReadOnlyDictionary<string, object?> Attributes);
