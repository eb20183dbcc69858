using NativeCam.Tensors;

namespace NativeCam.Cam;

/// <summary>
/// What the original CAM (<see cref="CamMethod.Cam"/>) needs from a family whose head is a global average pool followed
/// by one Linear layer: for a watched layer (the one feeding that pool), the Linear's row of each target, the channel
/// weights of the map. An adapter of a family without such a head does not implement it, and CAM is refused.
/// </summary>
public interface ICamClassWeights<in TTargets> where TTargets : ICamTargets
{
    /// <summary>The weights [K, C] of <paramref name="targets"/> at <paramref name="layer"/> (a layer of C channels), on
    /// <paramref name="device"/>; an <see cref="ArgumentException"/> naming the usable layer if it is not that layer.
    /// The caller disposes the tensor.</summary>
    Tensor ClassWeights(Device device, string layer, TTargets targets);
}
