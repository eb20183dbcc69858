using System.Text.Json;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>Our detections against the Ultralytics reference's, as issue #25 states the bar: the same class and anchor
/// point, confidence within 0.01, every box coordinate within 2 pixels.</summary>
public static class UltralyticsDetections
{
    public static void AssertMatch(JsonElement[] expected, IReadOnlyList<Detection> detections)
    {
        Assert.Equal(expected.Length, detections.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            var d = detections[i];
            Assert.Equal(e.GetProperty("class").GetInt32(), d.ClassId);
            Assert.Equal(e.GetProperty("anchor").GetInt32(), d.Row);
            Assert.InRange(d.Confidence - e.GetProperty("conf").GetDouble(), -0.01, 0.01);
            var box = e.GetProperty("box").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            double[] got = [d.ImageBox.X1, d.ImageBox.Y1, d.ImageBox.X2, d.ImageBox.Y2];
            for (int k = 0; k < 4; k++) Assert.InRange(got[k] - box[k], -2, 2);
        }
    }
}
