using System.Buffers.Binary;
using System.Text;

namespace NativeCam.Tests.Weights;

/// <summary>Writes pickle opcodes by hand, to craft checkpoints (honest and hostile) inside the tests.</summary>
public sealed class PickleBuilder
{
    private readonly MemoryStream _bytes = new();

    public PickleBuilder Op(byte opcode) { _bytes.WriteByte(opcode); return this; }
    public PickleBuilder Op(char opcode) => Op((byte)opcode);
    public PickleBuilder Proto(int version = 2) => Op(0x80).Op((byte)version);
    public PickleBuilder Mark() => Op('(');
    public PickleBuilder Stop() => Op('.');
    public PickleBuilder None() => Op('N');
    public PickleBuilder False() => Op(0x89);
    public PickleBuilder EmptyDict() => Op('}');
    public PickleBuilder EmptyTuple() => Op(')');
    public PickleBuilder EmptyList() => Op(']');
    public PickleBuilder Tuple() => Op('t');
    public PickleBuilder Tuple1() => Op(0x85);
    public PickleBuilder Tuple2() => Op(0x86);
    public PickleBuilder SetItem() => Op('s');
    public PickleBuilder SetItems() => Op('u');
    public PickleBuilder Appends() => Op('e');
    public PickleBuilder Reduce() => Op('R');
    public PickleBuilder NewObj() => Op(0x81);
    public PickleBuilder Build() => Op('b');
    public PickleBuilder BinPersId() => Op('Q');
    public PickleBuilder Put(byte slot) => Op('q').Op(slot);
    public PickleBuilder Get(byte slot) => Op('h').Op(slot);

    public PickleBuilder Global(string module, string name)
    {
        Op('c');
        var text = Encoding.ASCII.GetBytes($"{module}\n{name}\n");
        _bytes.Write(text);
        return this;
    }

    public PickleBuilder Str(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        Op('X');
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, utf8.Length);
        _bytes.Write(len);
        _bytes.Write(utf8);
        return this;
    }

    public PickleBuilder Int(long value)
    {
        if (value is >= 0 and < 256) return Op('K').Op((byte)value);
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)value);
            Op('J');
            _bytes.Write(b);
            return this;
        }
        Span<byte> l = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, value);
        Op(0x8a).Op(8);
        _bytes.Write(l);
        return this;
    }

    public PickleBuilder IntTuple(params long[] values)
    {
        Mark();
        foreach (var v in values) Int(v);
        return Tuple();
    }

    /// <summary>torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict()).</summary>
    public PickleBuilder Tensor(string storageClass, string key, long storageElements, long offset, long[] size, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2");
        Mark();
        Mark().Str("storage").Global("torch", storageClass).Str(key).Str("cpu").Int(storageElements).Tuple().BinPersId();
        Int(offset).IntTuple(size).IntTuple(stride).False();
        Global("collections", "OrderedDict").EmptyTuple().Reduce();
        Tuple();
        return Reduce();
    }

    /// <summary>
    /// The legacy format's tensor: _rebuild_tensor_v2 over the persistent id ('storage', torch.X, key, 'cpu', numel, view),
    /// view None or (view_key, offset, numel).
    /// </summary>
    public PickleBuilder LegacyTensor(string storageClass, string key, long storageElements, (string Key, long Offset, long Size)? view,
        long offset, long[] size, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2");
        Mark();
        Mark().Str("storage").Global("torch", storageClass).Str(key).Str("cpu").Int(storageElements);
        if (view is { } v) Mark().Str(v.Key).Int(v.Offset).Int(v.Size).Tuple(); else None();
        Tuple().BinPersId();
        Int(offset).IntTuple(size).IntTuple(stride).False();
        Global("collections", "OrderedDict").EmptyTuple().Reduce();
        Tuple();
        return Reduce();
    }

    public byte[] ToArray() => _bytes.ToArray();
}
