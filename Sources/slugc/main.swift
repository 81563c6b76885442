print("slugc")
