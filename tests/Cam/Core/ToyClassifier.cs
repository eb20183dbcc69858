using NativeCam.Autograd;
using NativeCam.Cam;
using NativeCam.Layers;
using NativeCam.Tensors;

namespace NativeCam.Tests.Cam.Core;

/// <summary>
/// The smallest classifier on src/Layers: conv1 (3→4, 3×3, pad 1) → ReLU → conv2 (4→5, 3×3, pad 1) → ReLU → global
/// average pool → fc (5→3). Its weights are seeded random numbers kept on the host for the float64 reference.
/// </summary>
public sealed class ToyClassifier : Module
{
    public const int In = 3, Mid = 4, Out = 5, Classes = 3;

    readonly Conv2d _conv1, _conv2;
    readonly Linear _fc;

    public StateDict Weights { get; }
    public IReadOnlyDictionary<string, HostTensor> Host { get; }

    public ToyClassifier(Device device, int seed) : base("")
    {
        var random = new Random(seed);
        HostTensor Make(params int[] shape) =>
            new(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), shape);
        Host = new Dictionary<string, HostTensor>
        {
            ["conv1.weight"] = Make(Mid, In, 3, 3), ["conv1.bias"] = Make(Mid),
            ["conv2.weight"] = Make(Out, Mid, 3, 3), ["conv2.bias"] = Make(Out),
            ["fc.weight"] = Make(Classes, Out), ["fc.bias"] = Make(Classes),
        };
        Weights = new StateDict(Host);
        var ctx = new BuildContext(device, Weights, new Dictionary<string, ModuleInfo>());
        _conv1 = Child(new Conv2d(ctx, "conv1", In, Mid, (3, 3), (1, 1), (1, 1)));
        _conv2 = Child(new Conv2d(ctx, "conv2", Mid, Out, (3, 3), (1, 1), (1, 1)));
        _fc = Child(new Linear(ctx, "fc", Out, Classes));
    }

    public override Var Forward(Var x)
    {
        x = Ops.Relu(_conv1.Forward(x)).Named("conv1.act");
        x = Ops.Relu(_conv2.Forward(x)).Named("conv2.act");
        return _fc.Forward(Ops.Mean(x, 2, 3)); // [1, Out] → [1, Classes]
    }
}

/// <summary>The toy classifier's adapter: layer names as they are, conv2.act by default, one-hot class seeds.</summary>
public sealed class ToyAdapter(ToyClassifier model) : ICamAdapter<ClassTargets>
{
    public Var[] Forward(Var input) => [model.Forward(input)];
    public string NormalizeLayer(string name) => name;
    public string LayerHint => "layers are conv1.act and conv2.act";
    public IReadOnlyList<string> DefaultLayers => ["conv2.act"];
    public IReadOnlyList<string> TargetLayers(Var[] outputs, ClassTargets targets) => targets.ClassIds.Select(_ => "conv2.act").ToArray();
    public IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, ClassTargets targets) => [targets.Seed(outputs[0])];
}
