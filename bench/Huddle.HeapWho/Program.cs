using Microsoft.Diagnostics.Runtime;

// What the next young collection of a running server would copy, and which old objects hold it.
//
//   dotnet run -c Release --project bench/Huddle.HeapWho -- <pid> [--top N]
//
// Attaches to the process (suspending it for the 1-3 s of the walk: never during a measured round),
// marks every object reachable from the roots, and reports the reachable objects of generations 0 and 1
// (what the next gen-0 and gen-1 collections promote) by type and by their nearest old holder: the type
// of the last gen-2 (or large/pinned/frozen) object on the path by which the walk first reached them, or
// the root kind when no old object is on it. dotnet-gcdump reports the live heap by type but neither
// generations nor holders, which is the question the bench's "promoted" and "marked via older" figures
// raise (docs/performance.md, "What a collection copies"); ClrMD reads the heap, the walk is this file.
// Needs the right to ptrace the process (the same user, kernel.yama.ptrace_scope 0 or 1 as its parent).
if (args.Length < 1 || !int.TryParse(args[0], out var pid))
{
    Console.Error.WriteLine("usage: Huddle.HeapWho <pid> [--top N]");
    return 2;
}

var top = args.Length >= 3 && args[1] == "--top" && int.TryParse(args[2], out var n) ? n : 30;
using var target = DataTarget.AttachToProcess(pid, suspend: true);
var clr = target.ClrVersions.Single();
// The DAC ships beside the runtime; ClrMD's own lookup refuses a runtime newer than it knows.
var dac = Path.Combine(Path.GetDirectoryName(clr.ModuleInfo.FileName) ?? "", OperatingSystem.IsWindows() ? "mscordaccore.dll" : "libmscordaccore.so");
using var runtime = File.Exists(dac) ? clr.CreateRuntime(dac, ignoreMismatch: true) : clr.CreateRuntime();
var heap = runtime.Heap;

var byType = new Dictionary<string, Tally>(StringComparer.Ordinal);
var byHolder = new Dictionary<string, Tally>(StringComparer.Ordinal);
var seen = new HashSet<ulong>();
var pending = new Stack<(ulong Address, string Holder)>();
foreach (var root in heap.EnumerateRoots())
{
    if (root.Object.Address != 0 && seen.Add(root.Object.Address))
    {
        pending.Push((root.Object.Address, "root: " + root.RootKind));
    }
}

while (pending.Count > 0)
{
    var (address, holder) = pending.Pop();
    var obj = heap.GetObject(address);
    if (!obj.IsValid || obj.Type is null)
    {
        continue;
    }

    var generation = heap.GetSegmentByAddress(address)?.GetGeneration(address) ?? Generation.Unknown;
    var young = generation is Generation.Generation0 or Generation.Generation1;
    if (young)
    {
        var gen0 = generation == Generation.Generation0;
        Add(byType, obj.Type.Name ?? "?", gen0, (long)obj.Size);
        Add(byHolder, holder, gen0, (long)obj.Size);
    }

    var next = young ? holder : obj.Type.Name ?? "?";
    foreach (var reference in obj.EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
    {
        if (reference != 0 && seen.Add(reference))
        {
            pending.Push((reference, next));
        }
    }
}

var (g0, g1) = (byType.Values.Sum(t => t.Gen0Bytes), byType.Values.Sum(t => t.Gen1Bytes));
Console.WriteLine($"reachable young objects: gen 0 {g0 / 1024.0:N0} KB, gen 1 {g1 / 1024.0:N0} KB ({seen.Count:N0} objects walked)");
Print("by type", byType);
Print("by nearest old holder", byHolder);
return 0;

void Print(string title, Dictionary<string, Tally> tallies)
{
    Console.WriteLine($"{title}:            gen 0 KB (objects)     gen 1 KB (objects)");
    foreach (var (name, t) in tallies.OrderByDescending(kv => kv.Value.Gen0Bytes + kv.Value.Gen1Bytes).Take(top))
    {
        Console.WriteLine($"  {t.Gen0Bytes / 1024.0,10:N1} ({t.Gen0Count,6:N0})  {t.Gen1Bytes / 1024.0,10:N1} ({t.Gen1Count,6:N0})  {name}");
    }
}

static void Add(Dictionary<string, Tally> tallies, string key, bool gen0, long bytes)
{
    var t = tallies.GetValueOrDefault(key) ?? (tallies[key] = new Tally());
    if (gen0)
    {
        (t.Gen0Count, t.Gen0Bytes) = (t.Gen0Count + 1, t.Gen0Bytes + bytes);
    }
    else
    {
        (t.Gen1Count, t.Gen1Bytes) = (t.Gen1Count + 1, t.Gen1Bytes + bytes);
    }
}

internal sealed class Tally
{
    public long Gen0Count { get; set; }

    public long Gen0Bytes { get; set; }

    public long Gen1Count { get; set; }

    public long Gen1Bytes { get; set; }
}
