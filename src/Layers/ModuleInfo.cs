namespace NativeCam.Layers;

/// <summary>
/// What a checkpoint says about one module besides its tensors: its class (e.g.
/// <c>torch.nn.modules.activation.SiLU</c>) and simple attributes (a BatchNorm's <c>eps</c>). Builders read
/// activations and epsilons from here rather than assuming them.
/// </summary>
public sealed record ModuleInfo(string ClassName, IReadOnlyDictionary<string, object?> Attributes)
{
    public double? Number(string attribute) => Attributes.GetValueOrDefault(attribute) switch
    {
        double d => d,
        float f => f,
        long l => l,
        int i => i,
        _ => null,
    };
}
