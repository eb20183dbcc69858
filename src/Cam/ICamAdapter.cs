using NativeCam.Autograd;
using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// What the family-free <see cref="CamEngine"/> needs to know about one model family: how to run the model, what its
/// layers are called, which layer a target is explained at by default, and how a target becomes a score to
/// differentiate (its seed gradient). Everything else (watching layers, the one K-target backward sweep, every method
/// at every layer, rendering) is the core's.
/// </summary>
public interface ICamAdapter<in TTargets> where TTargets : ICamTargets
{
    /// <summary>The model's forward pass on the current tape; the targets' scores are read from these outputs.</summary>
    Var[] Forward(Var input);

    /// <summary>A user's layer name in the tape's spelling (e.g. YOLO's <c>model_17_cv3_act</c> → <c>model.17.cv3.act</c>).</summary>
    string NormalizeLayer(string name);

    /// <summary>What valid layer names look like, for the unknown-layer error (e.g. "layers look like model.17").</summary>
    string LayerHint { get; }

    /// <summary>Every layer a target's default layer can be, in the order <see cref="CamRequest.Auto"/> lists them;
    /// all are watched when <c>auto</c> is requested, since the targets are chosen after the forward.</summary>
    IReadOnlyList<string> DefaultLayers { get; }

    /// <summary>Checks <paramref name="targets"/> against the model (an <see cref="ArgumentException"/> if one does not
    /// fit) and names each target's default layer, one of <see cref="DefaultLayers"/>.</summary>
    IReadOnlyList<string> TargetLayers(Var[] outputs, TTargets targets);

    /// <summary>
    /// The K-target seeds of the backward sweep: for each output a target's score is read from, the gradient of the K
    /// scores with respect to it, [K, ..output shape] (row k: d score_k / d output). Outputs no target reads are left
    /// out (their part of the graph is then not differentiated). The caller disposes the gradients.
    /// </summary>
    IReadOnlyList<(Var Output, Tensor Grad)> Seed(Var[] outputs, TTargets targets);
}
