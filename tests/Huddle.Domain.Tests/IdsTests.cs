
using Huddle.Contracts.Common;

namespace Huddle.Domain.Tests;

public sealed class IdsTests
{
    [Theory]
    [InlineData("team-maple", true)]
    [InlineData("p-7f3a_01.x", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("team/../x", false)]
    [InlineData("a b", false)]
    [InlineData("é", false)]
    public void Only_opaque_ids_of_the_documented_shape_are_accepted(string? id, bool valid) =>
        Assert.Equal(valid, Ids.IsValid(id));

    [Fact]
    public void Ids_are_at_most_64_characters() =>
        Assert.Equal((true, false), (Ids.IsValid(new string('a', 64)), Ids.IsValid(new string('a', 65))));
}
