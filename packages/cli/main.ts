export async function main(argv: string[]): Promise<void> {
  console.log("tickerfleet", argv.slice(2).join(" "));
}
