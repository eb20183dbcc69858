using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// Issue #23: the whole yaml is checked before anything is built. Each rule is shown on yolov5n's own yaml tree
/// with one field broken: the build stops with one InvalidDataException line that names the field.
/// </summary>
public class YoloConfigValidationTests
{
    static Device D => TestDevice.Default;

    /// <summary>Reads the mutated tree and builds it on yolov5n's real weights; returns the one-line message.</summary>
    static string Refused(Action<Dictionary<string, object?>> mutate, params string[] expected)
    {
        var tree = YoloYamlTree.Fresh();
        mutate(tree);
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            using var model = YoloModel.Build(D, YoloYamlTree.WithRealWeights(tree));
        });
        Assert.DoesNotContain('\n', e.Message);
        foreach (var part in expected) Assert.Contains(part, e.Message);
        return e.Message;
    }

    [Fact]
    public void The_real_yolov5n_validates_and_builds_unchanged()
    {
        var checkpoint = YoloYamlTree.WithRealWeights(YoloYamlTree.Fresh());
        checkpoint.Config.Validate();
        using var model = YoloModel.Build(D, checkpoint);
        Assert.Equal(25, model.Layers.Count);
        Assert.Equal((80, 3, 3), (model.Head.Classes, model.Head.AnchorsPerLevel, model.Head.Levels));
    }

    [Theory]
    [InlineData("synthetic.json", "yolov5s-widths")]
    [InlineData("synthetic.json", "yolov5n-3-classes")]
    [InlineData("blocks.json", "blocks-a")]
    [InlineData("blocks.json", "blocks-b")]
    public void The_other_test_configs_validate(string file, string label)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(YoloFixture.Folder, file)));
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("label").GetString() == label);
        YoloConfig.FromTree(YoloArchitectureTests.Tree(c.GetProperty("config"))).Validate();
    }

    [Fact]
    public void Yolov5s_widths_build_with_random_weights()
    {
        var config = YoloConfig.FromTree(YoloYamlTree.Fresh()) with { WidthMultiple = 0.5 };
        using var model = YoloModel.Build(D, RandomWeights.Checkpoint(config, seed: 1));
        Assert.Equal(512, model.Layers[9].OutChannels);
    }

    // ---- anchors -------------------------------------------------------------------------------

    [Fact]
    public void Empty_anchors_are_refused() => Refused(t => t["anchors"] = new List<object?>(), "yaml anchors", "[]");

    [Fact]
    public void Integer_anchors_are_refused_by_the_reader()
    {
        var tree = YoloYamlTree.Fresh();
        tree["anchors"] = 3L;
        var e = Assert.Throws<InvalidDataException>(() => YoloConfig.FromTree(tree));
        Assert.Contains("yaml anchors: 3", e.Message);
    }

    [Fact]
    public void An_empty_anchor_level_is_refused() =>
        Refused(t => ((List<object?>)t["anchors"]!)[1] = new List<object?>(), "yaml anchors level 1 is empty");

    [Fact]
    public void An_odd_anchor_level_is_refused() =>
        Refused(t => ((List<object?>)((List<object?>)t["anchors"]!)[1]!).RemoveAt(5), "yaml anchors level 1 has 5 values");

    [Theory]
    [InlineData(-10.0)]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_positive_or_non_finite_anchor_is_refused(double value) =>
        Refused(t => ((List<object?>)((List<object?>)t["anchors"]!)[0]!)[2] = value, "yaml anchors level 0 value 2");

    [Fact]
    public void Levels_with_different_anchor_counts_are_refused() =>
        Refused(t => ((List<object?>)((List<object?>)t["anchors"]!)[2]!).RemoveRange(4, 2), "yaml anchors level 2 has 2 anchors but level 0 has 3");

    [Fact]
    public void A_non_list_anchor_level_is_refused_by_the_reader()
    {
        var tree = YoloYamlTree.Fresh();
        ((List<object?>)tree["anchors"]!)[0] = "x";
        Assert.Contains("yaml anchors level 0", Assert.Throws<InvalidDataException>(() => YoloConfig.FromTree(tree)).Message);
    }

    // ---- top-level numbers ---------------------------------------------------------------------

    [Theory]
    [InlineData(0L)]
    [InlineData(-3L)]
    [InlineData(1_000_000L)]
    public void An_out_of_range_class_count_is_refused(long nc) => Refused(t => t["nc"] = nc, "yaml nc", nc.ToString());

    [Fact]
    public void A_class_count_beyond_int_is_refused_by_the_reader()
    {
        var tree = YoloYamlTree.Fresh();
        tree["nc"] = 1e12;
        Assert.Contains("nc is out of range", Assert.Throws<InvalidDataException>(() => YoloConfig.FromTree(tree)).Message);
    }

    [Theory]
    [InlineData("depth_multiple", 0.0)]
    [InlineData("depth_multiple", -0.33)]
    [InlineData("depth_multiple", double.NaN)]
    [InlineData("depth_multiple", 1e6)]
    [InlineData("width_multiple", 0.0)]
    [InlineData("width_multiple", double.NegativeInfinity)]
    [InlineData("width_multiple", 1e6)]
    public void An_out_of_range_multiple_is_refused(string field, double value) => Refused(t => t[field] = value, $"yaml {field}");

    [Theory]
    [InlineData(0L)]
    [InlineData(100L)]
    public void An_out_of_range_input_channel_count_is_refused(long ch) => Refused(t => t["ch"] = ch, "yaml ch", ch.ToString());

    // ---- the layer table -----------------------------------------------------------------------

    [Fact]
    public void An_empty_layer_table_is_refused() => Refused(t =>
    {
        t["backbone"] = new List<object?>();
        t["head"] = new List<object?>();
    }, "yaml has no layers");

    [Theory]
    [InlineData(5, 5L, "layer 5: Conv from 5 does not name an earlier layer")]
    [InlineData(5, 30L, "layer 5: Conv from 30 does not name an earlier layer")]
    [InlineData(5, -6L, "layer 5: Conv from -6 does not name an earlier layer")]
    [InlineData(0, 0L, "layer 0: Conv from 0 does not name an earlier layer")]
    public void A_from_index_that_is_not_an_earlier_layer_is_refused(int layer, long from, string message) =>
        Refused(t => YoloYamlTree.Row(t, layer)[0] = from, message);

    [Fact]
    public void An_empty_from_list_is_refused() =>
        Refused(t => YoloYamlTree.Row(t, 12)[0] = new List<object?>(), "layer 12: Concat from is empty");

    [Fact]
    public void Two_inputs_to_a_single_input_module_are_refused() =>
        Refused(t => YoloYamlTree.Row(t, 3)[0] = new List<object?> { -1L, 1L }, "layer 3: Conv from must be one layer, got 2");

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(1_000_000L)]
    public void An_out_of_range_number_is_refused(long number) =>
        Refused(t => YoloYamlTree.Row(t, 2)[1] = number, "layer 2: C3 number must be from 1 to 1000", number.ToString());

    [Fact]
    public void A_repeated_upsample_is_refused() =>
        Refused(t => YoloYamlTree.Row(t, 11)[1] = 6L, "layer 11: Upsample number must be 1, got 6");

    [Fact]
    public void An_unknown_module_is_refused_with_its_layer_index() =>
        Refused(t => YoloYamlTree.Row(t, 4)[2] = "MysteryBlock", "layer 4: module 'MysteryBlock' is not supported");

    [Fact]
    public void A_module_name_with_a_newline_stays_one_line() =>
        Refused(t => YoloYamlTree.Row(t, 4)[2] = "Bad\nName", "layer 4: module 'Bad?Name' is not supported");

    [Fact]
    public void A_table_not_ending_in_detect_is_refused() =>
        Refused(t => ((List<object?>)t["head"]!).RemoveAt(14), "the yaml has no Detect layer", "(23) is C3");

    [Fact]
    public void Detect_before_the_last_layer_is_refused() =>
        Refused(t => ((List<object?>)t["head"]!).Add(new List<object?> { -1L, 1L, "Conv", new List<object?> { 64L, 1L, 1L } }),
            "layer 24: Detect must be the last layer");

    // ---- module arguments ----------------------------------------------------------------------

    [Fact]
    public void Missing_channels_are_refused() =>
        Refused(t => YoloYamlTree.Args(t, 1).Clear(), "layer 1: Conv takes 1 to 6 args, got 0");

    [Fact]
    public void Too_many_args_are_refused() =>
        Refused(t => YoloYamlTree.Args(t, 9).AddRange([1L, 2L, 3L]), "layer 9: SPPF takes 1 to 2 args, got 5");

    [Theory]
    [InlineData(-64L, "layer 1: Conv args[0] (channels) must be from 1")]
    [InlineData(1_000_000_000L, "layer 1: Conv args[0] (channels) 1000000000 × width_multiple 0.25 gives 250000000 channels, outside 1 to 65536")]
    public void Out_of_range_channels_are_refused(long channels, string message) =>
        Refused(t => YoloYamlTree.Args(t, 1)[0] = channels, message);

    [Fact]
    public void Channels_beyond_int_are_refused() =>
        Refused(t => YoloYamlTree.Args(t, 1)[0] = 1e15, "layer 1: Conv args[0] (channels) is out of range");

    [Fact]
    public void Text_channels_are_refused() =>
        Refused(t => YoloYamlTree.Args(t, 1)[0] = "wide", "layer 1: Conv args[0] (channels) is not a number (wide)");

    [Theory]
    [InlineData(1, "kernel", 0L)]
    [InlineData(1, "kernel", 1000L)]
    [InlineData(2, "stride", -2L)]
    [InlineData(3, "padding", -1L)]
    [InlineData(4, "groups", 0L)]
    [InlineData(4, "groups", 7L)]
    public void Out_of_range_conv_arguments_are_refused(int arg, string name, long value) => Refused(t =>
    {
        var args = YoloYamlTree.Args(t, 0); // [64, 6, 2, 2]
        while (args.Count <= arg) args.Add(null);
        args[arg] = value;
    }, $"layer 0: Conv args[{arg}] ({name})", value.ToString());

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1000.0)]
    public void An_out_of_range_expansion_is_refused(double e) => Refused(t =>
    {
        var args = YoloYamlTree.Args(t, 2); // C3 [128]
        args.AddRange([true, 1L, e]);
    }, "layer 2: C3 args[3] (expansion)");

    [Fact]
    public void An_expansion_leaving_no_hidden_channels_is_refused() =>
        Refused(t => YoloYamlTree.Args(t, 2).AddRange([true, 1L, 0.001]), "layer 2: C3 inner width (channels × expansion) is 0");

    [Fact]
    public void An_even_sppf_kernel_is_refused() =>
        Refused(t => YoloYamlTree.Args(t, 9)[1] = 4L, "layer 9: SPPF args[1] (kernel) must be odd");

    [Theory]
    [InlineData(0L)]
    [InlineData(-2L)]
    [InlineData(1000L)]
    public void An_out_of_range_upsample_scale_is_refused(long scale) =>
        Refused(t => YoloYamlTree.Args(t, 11)[1] = scale, "layer 11: Upsample args[1] (scale_factor)", scale.ToString());

    [Fact]
    public void An_upsample_without_a_scale_is_refused() =>
        Refused(t => YoloYamlTree.Args(t, 11).RemoveRange(1, 2), "layer 11: Upsample takes 2 to 3 args, got 1");

    [Fact]
    public void A_concat_along_another_dimension_is_refused() =>
        Refused(t => YoloYamlTree.Args(t, 12)[0] = 0L, "layer 12: Concat along dimension 0 is not supported");

    // ---- Detect --------------------------------------------------------------------------------

    [Fact]
    public void Detect_with_fewer_inputs_than_anchor_levels_is_refused() =>
        Refused(t => YoloYamlTree.Row(t, 24)[0] = new List<object?> { 17L, 20L }, "layer 24: Detect from lists 2 inputs but anchors has 3 levels");

    [Fact]
    public void Detect_with_another_class_count_is_refused() =>
        Refused(t => YoloYamlTree.Args(t, 24)[0] = 7L, "layer 24: Detect args[0] (nc) is 7 but the yaml nc is 80");

    [Fact]
    public void Detect_with_another_anchor_count_is_refused() =>
        Refused(t => YoloYamlTree.Args(t, 24)[1] = 5L, "layer 24: Detect args[1] (anchors) is 5 anchors per level but the yaml anchors have 3");

    [Fact]
    public void Detect_with_other_anchors_is_refused() =>
        Refused(t => YoloYamlTree.Args(t, 24)[1] = new List<object?> { new List<object?> { 1L, 2L } }, "layer 24: Detect args[1] (anchors) differs from the yaml anchors");

    [Fact]
    public void Detect_without_its_args_is_refused() =>
        Refused(t => YoloYamlTree.Args(t, 24).Clear(), "layer 24: Detect takes 2 args, got 0");

    [Fact]
    public void Detect_with_the_counts_spelled_out_still_builds()
    {
        var tree = YoloYamlTree.Fresh();
        YoloYamlTree.Args(tree, 24)[0] = 80L;
        YoloYamlTree.Args(tree, 24)[1] = 3L;
        using var model = YoloModel.Build(D, YoloYamlTree.WithRealWeights(tree));
        Assert.Equal(80, model.Head.Classes);
    }

    // ---- sizes ---------------------------------------------------------------------------------

    [Fact]
    public void A_network_far_larger_than_its_checkpoint_is_refused_before_building() =>
        Refused(t => t["width_multiple"] = 1.0, "the yaml describes a network of at least", "but the checkpoint holds only 1");

    [Fact]
    public void An_absurd_network_is_refused_without_allocating_it()
    {
        // width_multiple 10: layer 7 alone would be a 10240 → 10240 channel 3×3 conv; nothing may be generated.
        var config = YoloConfig.FromTree(YoloYamlTree.Fresh()) with { WidthMultiple = 10 };
        var checkpoint = RandomWeights.Checkpoint(config);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => YoloModel.Build(D, checkpoint));
        Assert.Contains("the yaml describes a network of at least", e.Message);
        Assert.Contains("width_multiple", e.Message);
        Assert.Equal(0, checkpoint.Weights.ValueCount);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_huge_repeat_count_is_refused_without_looping() =>
        Refused(t => YoloYamlTree.Row(t, 4)[1] = 1e6, "layer 4: C3 number must be from 1 to 1000, got 1000000");
}
