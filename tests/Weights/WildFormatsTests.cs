using NativeCam.Weights;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>
/// Weight files as they exist in the wild, made by PyTorch 1.13 (tests/reference/weight_formats_reference.py):
/// zip and legacy (pre-1.6) torch.save, state dicts, training checkpoints, DataParallel names, whole pickled
/// modules (torch.nn, torchvision), safetensors and torchvision's old DenseNet names. Each loads to its
/// network's state_dict, bit for bit, and says how its tensors were found.
/// </summary>
public class WildFormatsTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in FormatsFixture.Value.Files) data.Add(f.File);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Loads_to_the_networks_state_dict_bit_for_bit(string file)
    {
        var weights = WeightFile.Load(FormatsFixture.Path(file));

        FormatsFixture.AssertLoaded(FormatsFixture.File(file), weights);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Converts_to_a_weight_file_that_keeps_tensors_and_source(string file)
    {
        using var dir = new TempFolder();
        string output = dir.File("out.msgpack");

        var result = CheckpointConverter.Convert(FormatsFixture.Path(file), output);
        var reread = WeightFile.Load(output);

        FormatsFixture.AssertLoaded(FormatsFixture.File(file), reread);
        Assert.Equal(file, reread.Metadata.SourceFile);
        Assert.Equal(result.TensorCount, reread.Tensors.Count);
    }

    [Fact]
    public void Every_format_and_wrapping_is_covered()
    {
        var files = FormatsFixture.Value.Files;
        Assert.Equal([SourceFormats.TorchLegacy, SourceFormats.TorchZip, SourceFormats.Safetensors], files.Select(f => f.Format).Distinct().Order());
        Assert.Equal(["model", "model_state_dict", "state_dict"], files.Select(f => f.WrapperKey).OfType<string>().Distinct().Order());
        Assert.Contains(files, f => f.StrippedPrefix == "module." && f.ModuleClass is not null);
        Assert.Contains(files, f => f.RenamedKeys > 0);
        Assert.Contains(files, f => f.Format == SourceFormats.TorchLegacy && f.ModuleClass == "torchvision.models.densenet.DenseNet");
    }

    [Fact]
    public void Safetensors_metadata_is_kept()
    {
        var weights = WeightFile.Load(FormatsFixture.Path("tiny.safetensors"));

        Assert.Equal("pt", weights.Metadata.Source.FileMetadata["format"]);
        Assert.Equal("weight_formats_reference.py", weights.Metadata.Source.FileMetadata["source"]);
    }

    [Fact]
    public void Whole_modules_keep_their_module_tree_as_data()
    {
        var weights = WeightFile.Load(FormatsFixture.Path("densenet_module_legacy.pt"));

        Assert.Equal("torchvision.models.densenet.DenseNet", weights.Metadata.Modules[""].ClassName);
        Assert.Equal("torchvision.models.densenet._DenseLayer", weights.Metadata.Modules["features.denseblock1.denselayer1"].ClassName);
        Assert.Equal(1e-5, weights.Metadata.Modules["features.norm0"].Attributes["eps"]);
    }

    [Fact]
    public void DataParallel_module_tree_is_walked_from_the_wrapped_model()
    {
        var weights = WeightFile.Load(FormatsFixture.Path("tiny_dataparallel_module.pt"));

        Assert.Equal("torch.nn.modules.container.Sequential", weights.Metadata.Modules[""].ClassName);
        Assert.Equal("torchvision.models.resnet.BasicBlock", weights.Metadata.Modules["3"].ClassName);
    }

    [Fact]
    public void A_family_reads_any_format_into_a_state_dict_in_one_line()
    {
        var legacy = NativeCam.Layers.StateDict.Load(FormatsFixture.Path("tiny_dataparallel_legacy.pt"));
        var safetensors = NativeCam.Layers.StateDict.Load(FormatsFixture.Path("tiny.safetensors"));

        Assert.Equal(safetensors.Keys, legacy.Keys);
        var weight = legacy.Take("3.conv1.weight", 8, 8, 3, 3);
        Assert.Equal(safetensors.Take("3.conv1.weight", 8, 8, 3, 3).Data, weight.Data);
    }

    [Theory]
    [InlineData("features.denseblock1.denselayer1.norm.1.weight", "features.denseblock1.denselayer1.norm1.weight")]
    [InlineData("features.denseblock4.denselayer16.conv.2.weight", "features.denseblock4.denselayer16.conv2.weight")]
    [InlineData("features.denseblock2.denselayer3.norm.2.running_var", "features.denseblock2.denselayer3.norm2.running_var")]
    [InlineData("features.denseblock1.denselayer1.norm1.weight", "features.denseblock1.denselayer1.norm1.weight")]
    [InlineData("features.norm.1.weight", "features.norm.1.weight")]
    [InlineData("features.denseblock1.denselayer1.conv.3.weight", "features.denseblock1.denselayer1.conv.3.weight")]
    public void Old_densenet_names_are_renamed_as_torchvision_does(string old, string today) =>
        Assert.Equal(today, NativeCam.Weights.Torch.StateDictNames.DenseNetName(old));
}
