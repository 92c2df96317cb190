using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Silo.Storage;

namespace Huddle.Silo.Hosting;

/// <summary>
/// Every call into a Huddle grain passes here first. Two guarantees live in this one place, so no
/// grain kind can forget them:
/// <list type="bullet">
/// <item>The grain's key is an opaque id (<see cref="Ids"/>: letters, digits, '-', '_', '.').
/// Orleans' Azure Table provider replaces <c>/ \ # ?</c> by '_' in its keys, so two ids differing
/// only there would share one row; refusing them before activation makes that impossible.</item>
/// <item>A board command whose state no longer fits one storage row returns <c>limit_exceeded</c>
/// rather than failing as an exception (the grain has already put its memory back).</item>
/// </list>
/// </summary>
internal sealed class HuddleGrainCallFilter : IIncomingGrainCallFilter
{
    private static readonly System.Reflection.Assembly ContractsAssembly = typeof(ICareTeamGrain).Assembly;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is not Grain || context.InterfaceMethod?.DeclaringType?.Assembly != ContractsAssembly)
        {
            await context.Invoke();
            return;
        }

        if (!Ids.IsValid(context.TargetId.Key.ToString()))
        {
            throw new ArgumentException($"A {context.TargetId.Type} grain's key must be 1-{Ids.MaxLength} letters, digits, '-', '_' or '.'.");
        }

        try
        {
            await context.Invoke();
        }
        catch (StorageLimitExceededException ex) when (context.InterfaceMethod.ReturnType == typeof(Task<Result<CommandOutcome>>))
        {
            context.Result = Result<CommandOutcome>.Failure(HuddleError.Limit(ex.Message));
        }
    }
}
