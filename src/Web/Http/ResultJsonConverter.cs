using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Huddle.Contracts.Common;

namespace Huddle.Web.Http;

/// <summary>
/// Writes <see cref="Result{T}"/> as the one reply shape of docs/api.md: <c>ok</c>, the value's own
/// fields side by side (a value that is not an object goes in <c>value</c>), then <c>error</c>:
/// <c>{"ok":true,"version":13,"error":null}</c>. Reads it back the same way (for .NET clients).
/// </summary>
public sealed class ResultJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Result<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class Converter<T> : JsonConverter<Result<T>>
    {
        private const string Ok = "ok";
        private const string Error = "error";
        private const string Value = "value";

        public override void Write(Utf8JsonWriter writer, Result<T> value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteBoolean(Ok, value.Ok);
            if (value.Value is { } inner)
            {
                var element = JsonSerializer.SerializeToElement(inner, options);
                if (element.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in element.EnumerateObject())
                    {
                        property.WriteTo(writer);
                    }
                }
                else
                {
                    writer.WritePropertyName(Value);
                    element.WriteTo(writer);
                }
            }

            writer.WritePropertyName(Error);
            JsonSerializer.Serialize(writer, value.Error, options);
            writer.WriteEndObject();
        }

        public override Result<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var node = JsonNode.Parse(ref reader) as JsonObject ?? throw new JsonException("A result is a JSON object.");
            if (node[Error] is { } error && error.GetValueKind() != JsonValueKind.Null)
            {
                return Result<T>.Failure(error.Deserialize<HuddleError>(options)!);
            }

            if (node[Value] is { } wrapped)
            {
                return Result<T>.Success(wrapped.Deserialize<T>(options)!);
            }

            node.Remove(Ok);
            node.Remove(Error);
            return Result<T>.Success(node.Deserialize<T>(options)!);
        }
    }
}
