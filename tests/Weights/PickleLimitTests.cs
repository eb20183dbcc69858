using NativeCam.Weights;
using NativeCam.Weights.Pickle;
using Xunit;

namespace NativeCam.Tests.Weights;

/// <summary>The pickle machine's explicit limits on what a pickle may make it hold.</summary>
public class PickleLimitTests
{
    private static object Storage(PyTuple _) => throw new InvalidOperationException("no storages here");

    [Fact]
    public void Too_many_values_are_refused()
    {
        var pickle = new byte[PickleMachine.MaxValues + 3];
        pickle.AsSpan().Fill((byte)'N'); // NONE, over and over

        var e = Assert.Throws<WeightFormatException>(() => PickleMachine.Run(pickle, Storage));

        Assert.Equal($"data.pkl builds more than {PickleMachine.MaxValues} values (hostile?) (at byte {PickleMachine.MaxValues})", e.Message);
    }

    [Fact]
    public void Too_many_memo_slots_are_refused()
    {
        var pickle = new byte[PickleMachine.MaxMemoEntries + 3];
        pickle.AsSpan().Fill(0x94); // MEMOIZE, over and over
        pickle[0] = (byte)'N';

        var e = Assert.Throws<WeightFormatException>(() => PickleMachine.Run(pickle, Storage));

        Assert.Equal($"data.pkl fills more than {PickleMachine.MaxMemoEntries} memo slots (hostile?) (at byte {PickleMachine.MaxMemoEntries + 1})", e.Message);
    }

    [Fact]
    public void Overwriting_one_memo_slot_is_not_counted_twice()
    {
        var p = new PickleBuilder().Proto().Int(7);
        for (int i = 0; i < 10_000; i++) p.Put(0);

        Assert.Equal(7L, PickleMachine.Run(p.Stop().ToArray(), Storage));
    }
}
