/** One bar of a BarChart: a stable key (it picks the colour class), its label and its number. */
export interface Bar {
  readonly key: string
  readonly label: string
  readonly value: number
}
