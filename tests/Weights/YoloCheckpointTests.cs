using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>yolov5n.pt (a whole pickled YOLOv5 model in fp16) against what torch.load sees.</summary>
public class YoloCheckpointTests
{
    private static readonly TensorFixture Fixture = TensorFixture.Load("yolov5n.fixture.json");

    [Fact]
    public void Loading_the_checkpoint_gives_every_tensor_pytorch_sees_bit_exact_after_widening()
    {
        var weights = WeightFile.Load(TestPaths.YoloV5n);

        Assert.Equal(349, weights.Tensors.Count);
        Fixture.AssertMatches(weights);
        Assert.All(weights.Tensors.Where(t => !t.Name.EndsWith("num_batches_tracked")), t => Assert.Equal(DTypes.Float32, t.DType));
        Assert.Equal(DTypes.Int64, weights["model.0.bn.num_batches_tracked"].DType);
    }

    [Fact]
    public void Keep_half_keeps_the_stored_dtypes()
    {
        var weights = WeightFile.Load(TestPaths.YoloV5n, new ConvertOptions { KeepHalf = true });

        Fixture.AssertSourceDTypes(weights);
        Assert.Equal(DTypes.Float16, weights["model.24.m.0.weight"].DType);
        // fp16 kept as fp16 widens to exactly the default conversion.
        var widened = WeightFile.Load(TestPaths.YoloV5n)["model.24.m.0.weight"].ToFloat32();
        Assert.Equal(widened, weights["model.24.m.0.weight"].ToFloat32());
    }

    [Fact]
    public void Metadata_carries_the_yolo_config_names_stride_and_checkpoint_info()
    {
        var m = WeightFile.Load(TestPaths.YoloV5n).Metadata;

        Assert.Equal(ArchitectureKinds.Yolov5, m.Architecture);
        Assert.Equal(Fixture.Names, m.ClassNames);
        Assert.Equal(Fixture.Stride, m.Stride);
        Assert.Equal(Fixture.YamlKeys, m.Config.Keys.Order());
        Assert.Equal((long)Fixture.Nc, m.Config["nc"]);
        Assert.Equal(0.25, m.Config["width_multiple"]);
        Assert.IsType<List<object?>>(m.Config["backbone"]);
        Assert.Equal(Fixture.Epoch, m.Epoch);
        Assert.Equal(Fixture.Date, m.Date);
        Assert.Equal("yolov5n.pt", m.SourceFile);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(TestPaths.YoloV5n))), m.SourceSha256);
    }

    [Fact]
    public void Module_records_carry_each_modules_class_and_plain_attributes_through_the_file()
    {
        var m = WeightFile.Load(TestPaths.YoloV5n).Metadata;
        Assert.Equal("models.yolo.Model", m.Modules[""].ClassName);
        Assert.Equal("models.common.C3", m.Modules["model.17"].ClassName);
        Assert.Equal("torch.nn.modules.activation.SiLU", m.Modules["model.17.cv3.act"].ClassName);
        Assert.Equal(0.001, (double)m.Modules["model.0.bn"].Attributes["eps"]!, 12);
        Assert.Equal(new List<object?> { 2L, 2L }, m.Modules["model.0.conv"].Attributes["stride"]);

        using var dir = new TempFolder();
        string output = dir.File("yolov5n.msgpack");
        CheckpointConverter.Convert(TestPaths.YoloV5n, output);
        var back = WeightFile.Load(output).Metadata.Modules;
        Assert.Equal(m.Modules.Keys.Order(), back.Keys.Order());
        Assert.Equal("torch.nn.modules.activation.SiLU", back["model.17.cv3.act"].ClassName);
        Assert.Equal(0.001, (double)back["model.0.bn"].Attributes["eps"]!, 12);
    }

    [Fact]
    public void Cli_convert_writes_a_weight_file_that_reads_back_identically()
    {
        using var dir = new TempFolder();
        string output = dir.File("yolov5n.msgpack");

        var run = CliProcess.Run("convert", TestPaths.YoloV5n, output);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("349 tensors", run.StdOut);
        Assert.Equal(["yolov5n.msgpack"], dir.Listing());
        var weights = WeightFile.Load(output);
        Fixture.AssertMatches(weights);
        Assert.Equal(Fixture.Names, weights.Metadata.ClassNames);
        Assert.Equal(Fixture.Stride, weights.Metadata.Stride);
        Assert.Equal(Fixture.Date, weights.Metadata.Date);
        Assert.Equal(WeightFile.Load(TestPaths.YoloV5n).Metadata.Config.Keys, weights.Metadata.Config.Keys);
    }

    [Fact]
    public void Cli_convert_keep_half_writes_float16()
    {
        using var dir = new TempFolder();
        string output = dir.File("half.msgpack");

        var run = CliProcess.Run("convert", TestPaths.YoloV5n, output, "--keep-half");

        Assert.True(run.ExitCode == 0, run.ToString());
        var weights = WeightFile.Load(output);
        Fixture.AssertSourceDTypes(weights);
        Assert.True(new FileInfo(output).Length < 4_500_000, "fp16 weights should be about the checkpoint's size");
    }

    [Fact]
    public void Cli_convert_defaults_the_output_to_the_checkpoint_name_with_msgpack()
    {
        using var dir = new TempFolder();
        File.Copy(TestPaths.YoloV5n, dir.File("yolov5n.pt"));

        var run = CliProcess.RunIn(dir.Path, "convert", "yolov5n.pt");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["yolov5n.msgpack", "yolov5n.pt"], dir.Listing());
    }
}
