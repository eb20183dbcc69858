using System.Text.Json;
using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// Detect decoding + NMS + scale_coords against a PyTorch/torchvision restatement of YOLOv5 v6.1
/// (tests/reference/yolo_io_reference.py) on yolov5n's real Detect outputs and on synthetic piles of boxes.
/// </summary>
public class PostprocessTests
{
    public static IEnumerable<object[]> Cases => YoloIoFixture.Keys("nms", "name");

    // Boxes within 1e-3 px and confidences within 1e-5: float32 sigmoid/exp implementations differ by an ulp.
    const float BoxTol = 1e-3f, ConfTol = 1e-5f;

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTorchvisionReference(string name)
    {
        var c = YoloIoFixture.Entry("nms", "name", name);
        var (detections, _) = Run(c);
        var expected = c.GetProperty("detections").EnumerateArray().ToList();
        Assert.Equal(expected.Count, detections.Count);
        for (int k = 0; k < expected.Count; k++)
        {
            var e = expected[k];
            var d = detections[k];
            string at = $"{name} detection {k}";
            Assert.Equal((e.Int("class"), e.Int("level"), e.Int("anchor"), e.Int("y"), e.Int("x"), e.Int("channel")),
                (d.ClassId, d.Level, d.Anchor, d.GridY, d.GridX, d.ClassChannel));
            Assert.True(Math.Abs(d.Confidence - e.Double("conf")) <= ConfTol, $"{at}: confidence {d.Confidence} vs {e.Double("conf")}");
            CloseBox(d.InputBox, e.GetProperty("box"), $"{at} input box");
            CloseBox(d.ImageBox, e.GetProperty("box_orig"), $"{at} image box");
            Assert.Equal((float)e.Double("class_logit"), d.ClassLogit);
            Assert.Equal((float)e.Double("obj_logit"), d.ObjectnessLogit);
        }
    }

    [Fact]
    public void OriginFieldsPointAtTheRawLogits()
    {
        var c = YoloIoFixture.Entry("nms", "name", "yolov5n_bus160_conf0.01");
        var (detections, outputs) = Run(c);
        var head = DetectHead.YoloV5(80);
        int row = 0;
        var rowStart = new int[3];
        for (int l = 0; l < 3; l++) { rowStart[l] = row; row += head.AnchorsPerLevel * outputs[l].GridHeight * outputs[l].GridWidth; }
        Assert.NotEmpty(detections);
        foreach (var d in detections)
        {
            var o = outputs[d.Level];
            Assert.Equal(o.At(d.ClassChannel, d.GridY, d.GridX), d.ClassLogit);
            Assert.Equal(o.At(d.ObjectnessChannel, d.GridY, d.GridX), d.ObjectnessLogit);
            Assert.Equal(head.ObjectnessChannel(d.Anchor), d.ObjectnessChannel);
            Assert.Equal(rowStart[d.Level] + (d.Anchor * o.GridHeight + d.GridY) * o.GridWidth + d.GridX, d.Row);
        }
    }

    [Fact]
    public void DeviceTensorsGiveTheSameDetections()
    {
        var c = YoloIoFixture.Entry("nms", "name", "yolov5n_bus160");
        var (fromHost, outputs) = Run(c);
        var tensors = outputs.Select(o => Tensor.FromArray(TestDevice.Default, o.Data, o.Shape)).ToList();
        try
        {
            var fromDevice = Postprocess.Run(DetectHead.YoloV5(80), tensors.Select(DetectOutput.FromTensor).ToList(), 160, 128, 1080, 810);
            Assert.Equal(fromHost, fromDevice);
        }
        finally
        {
            foreach (var t in tensors) t.Dispose();
        }
    }

    [Fact]
    public void RejectsMismatchedOutputs()
    {
        var c = YoloIoFixture.Entry("nms", "name", "synthetic");
        var (_, outputs) = Run(c);
        var e = Assert.Throws<ArgumentException>(() => Postprocess.Run(DetectHead.YoloV5(80), outputs, 64, 96, 200, 300));
        Assert.Contains("expected [1, 255, ny, nx]", e.Message);
        Assert.Throws<ArgumentException>(() => Postprocess.Run(DetectHead.YoloV5(2), outputs.Take(2).ToList(), 64, 96, 200, 300));
        Assert.Throws<ArgumentException>(() => Postprocess.Run(DetectHead.YoloV5(2), outputs, 64, 96, 200, 300, new NmsOptions(IouThreshold: 1.5)));
    }

    [Fact]
    public void OnlyTheTopMaxNmsCandidatesEnterNms()
    {
        // 30000 copies of one box outscore a lone, disjoint box: the copies collapse to one detection, and the
        // lone box (ranked 30001st) never enters NMS, as in YOLOv5's x[argsort(desc)[:max_nms]].
        var pile = Enumerable.Range(0, NmsOptions.MaxNms)
            .Select(i => new Candidate(new Box(10, 10, 50, 50), 0.9f - i * 1e-6f, 0, i, 0, 0, 0, 0, 5, 0f, 0f));
        var lone = new Candidate(new Box(100, 100, 120, 120), 0.3f, 0, NmsOptions.MaxNms, 0, 0, 0, 0, 5, 0f, 0f);
        var kept = Nms.Select(pile.Append(lone).ToList(), new NmsOptions());
        Assert.Equal(0, Assert.Single(kept).Row);
        Assert.Equal(2, Nms.Select(pile.Take(10).Append(lone).ToList(), new NmsOptions()).Count);
    }

    [Fact]
    public void EqualScoresKeepCandidateOrder()
    {
        // torchvision sorts scores with a stable sort: of two identical boxes with equal scores the first survives.
        var a = new Candidate(new Box(0, 0, 10, 10), 0.5f, 3, 7, 0, 0, 0, 0, 8, 0f, 0f);
        var b = a with { Row = 2 };
        Assert.Equal(7, Assert.Single(Nms.Select([a, b], new NmsOptions())).Row);
        Assert.Equal(2, Assert.Single(Nms.Select([b, a], new NmsOptions())).Row);
    }

    static (List<Detection> Detections, List<DetectOutput> Outputs) Run(JsonElement c)
    {
        var outputs = c.GetProperty("files").EnumerateArray()
            .Select(f => Npy.Read(Path.Combine(Fixtures.Folder, f.GetString()!)))
            .Select(a => new DetectOutput(a.Data, a.Shape)).ToList();
        var o = c.GetProperty("options");
        var options = new NmsOptions(
            ConfThreshold: o.TryGetProperty("conf_thres", out var conf) ? conf.GetDouble() : 0.25,
            IouThreshold: o.TryGetProperty("iou_thres", out var iou) ? iou.GetDouble() : 0.45,
            MaxDetections: o.TryGetProperty("max_det", out var maxDet) ? maxDet.GetInt32() : 1000,
            Classes: o.TryGetProperty("classes", out var classes) ? classes.EnumerateArray().Select(x => x.GetInt32()).ToArray() : null,
            Agnostic: o.TryGetProperty("agnostic", out var agnostic) && agnostic.GetBoolean());
        var input = c.GetProperty("input_hw").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var image = c.GetProperty("orig_hw").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var detections = Postprocess.Run(DetectHead.YoloV5(c.Int("nc")), outputs, input[0], input[1], image[0], image[1], options);
        return (detections, outputs);
    }

    static void CloseBox(Box actual, JsonElement expected, string what)
    {
        var e = expected.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var a = new[] { actual.X1, actual.Y1, actual.X2, actual.Y2 };
        for (int i = 0; i < 4; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= BoxTol, $"{what}: [{string.Join(", ", a)}] vs [{string.Join(", ", e)}]");
    }
}
