using System.Text.Json.Serialization;
using Tessera.Cli.Apply;
using Tessera.Cli.Commands;

namespace Tessera.Cli.Output;

/// <summary>The JSON of what the CLI reports beyond the API's own objects, with the API's naming.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WhatCanItem))]
[JsonSerializable(typeof(ApplySummary))]
internal sealed partial class CliOutputContext : JsonSerializerContext;
