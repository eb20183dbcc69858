namespace NativeCam.Cam.Render;

/// <summary>
/// What normalisation found in one map: its minimum and maximum over the normalised region (before
/// normalisation), and <see cref="Empty"/> when the map has no spread (max == min, or no finite comparison at
/// all): such a map is rendered as all zeros, never NaN, and a report should say so rather than show a flat
/// colour as if it meant something.
/// </summary>
public readonly record struct MapStats(float Min, float Max, bool Empty);
