using NativeCam.Autograd;

namespace NativeCam.Cam;

/// <summary>
/// A family whose targets' scores can be read from a forward pass over a batch of perturbed inputs, for the
/// gradient-free methods that run the model many times (Score-CAM). The adapter's <see cref="ICamAdapter{TTargets}.Forward"/>
/// must accept a batch [B, 3, H, W].
/// </summary>
public interface ICamScores<in TTargets> where TTargets : ICamTargets
{
    /// <summary>scores[b·K + k]: target k's score on image b of the batch whose outputs are <paramref name="outputs"/>.</summary>
    double[] Scores(Var[] outputs, TTargets targets);
}
