using NativeCam.Weights;
using NativeCam.Weights.Pickle;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>The pickle machine on its own: values, containers, memo, and the allow-list.</summary>
public class PickleMachineTests
{
    private static object? Run(PickleBuilder p) => PickleMachine.Run(p.Stop().ToArray(), _ => throw new InvalidOperationException("no storages here"));

    [Fact]
    public void Builds_scalars_and_containers()
    {
        var p = new PickleBuilder().Proto().EmptyDict().Mark()
            .Str("n").Int(-7)
            .Str("big").Op(0x8a).Op(2).Op(0x00).Op(0x80) // LONG1 0x8000 little-endian, sign bit set: -32768
            .Str("f").Op('G').Op(0x3f).Op(0xf8).Op(0).Op(0).Op(0).Op(0).Op(0).Op(0) // BINFLOAT 1.5, big-endian
            .Str("list").EmptyList().Mark().Int(1).Int(2).Appends()
            .Str("pair").Str("a").Op(0x88).Tuple2()
            .Str("none").None()
            .SetItems();

        var d = Assert.IsType<PyDict>(Run(p));

        Assert.Equal(-7L, d.Get("n"));
        Assert.Equal(-32768L, d.Get("big"));
        Assert.Equal(1.5, d.Get("f"));
        Assert.Equal([1L, 2L], Assert.IsType<List<object?>>(d.Get("list")));
        var pair = Assert.IsType<PyTuple>(d.Get("pair"));
        Assert.Equal(["a", true], pair.Items);
        Assert.True(d.ContainsKey("none"));
        Assert.Null(d.Get("none"));
    }

    [Fact]
    public void Memo_returns_the_same_object()
    {
        var p = new PickleBuilder().Proto().EmptyList().Put(0).Op('0').Mark().Get(0).Get(0).Tuple(); // POP, then two memo reads

        var t = Assert.IsType<PyTuple>(Run(p));

        Assert.Same(t[0], t[1]);
    }

    [Fact]
    public void A_class_named_by_the_file_becomes_an_inert_record_of_its_state()
    {
        // models.yolo.Model.__new__() then BUILD {'nc': 80}: the class is never looked up or run.
        var p = new PickleBuilder().Proto().Global("models.yolo", "Model").EmptyTuple().NewObj()
            .EmptyDict().Str("nc").Int(80).SetItem().Build();

        var o = Assert.IsType<PyObject>(Run(p));

        Assert.Equal("models.yolo.Model", o.Type.FullName);
        Assert.Equal(80L, o.StateDict!.Get("nc"));
    }

    [Fact]
    public void Ordered_dict_build_state_goes_to_attributes_not_items()
    {
        var p = new PickleBuilder().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Str("w").Int(1).SetItem()
            .EmptyDict().Str("_metadata").EmptyDict().SetItem().Build();

        var d = Assert.IsType<PyDict>(Run(p));

        Assert.Equal(1, d.Count);
        Assert.True(d.Attributes!.ContainsKey("_metadata"));
    }

    [Fact]
    public void Set_is_built_from_its_list()
    {
        var p = new PickleBuilder().Proto().Global("__builtin__", "set").EmptyList().Mark().Str("a").Str("b").Appends().Tuple1().Reduce();

        Assert.Equal(["a", "b"], Assert.IsType<PySet>(Run(p)).Items);
    }

    [Theory]
    [InlineData("os", "system")]
    [InlineData("builtins", "exec")]
    [InlineData("models.yolo", "Model")] // calling a class would run its __init__
    [InlineData("torch", "load")]
    public void Calling_anything_outside_the_allow_list_is_refused(string module, string name)
    {
        var p = new PickleBuilder().Proto().Global(module, name).Str("x").Tuple1().Reduce();

        var e = Assert.Throws<RefusedCallException>(() => Run(p));

        Assert.Equal($"refused to call {module}.{name} from checkpoint", e.Message);
    }

    [Fact]
    public void Stack_underflow_is_an_error_not_a_crash()
    {
        var e = Assert.Throws<WeightFormatException>(() => Run(new PickleBuilder().Proto().Reduce()));
        Assert.Contains("pops an empty stack", e.Message);
    }

    [Fact]
    public void Reading_an_unwritten_memo_slot_is_an_error()
    {
        var e = Assert.Throws<WeightFormatException>(() => Run(new PickleBuilder().Proto().Get(9)));
        Assert.Contains("memo slot 9", e.Message);
    }
}
