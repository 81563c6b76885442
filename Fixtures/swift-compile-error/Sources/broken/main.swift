// The next line is a type error on purpose.
let answer: Int = "forty-two"
print(answer)
